//! `fleetward-cli`: the engine from the command line (SPEC §10). Human text on stdout by
//! default, JSON with `--json`, progress and errors on stderr, and exit codes that scripts
//! can branch on.

mod commands;
mod exit;
mod export_file;
mod input;
mod output;
mod progress;
mod stop;

use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use fleetward_core::secrets::DemoFolderSecrets;
use fleetward_core::{data_dir, Engine, EngineConfig};

/// The app's allocator, so the CLI runs the engine exactly as the app does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "fleetward-cli",
    version,
    about = "Fleetward's engine from the command line"
)]
struct Cli {
    /// Folder of the encrypted store (default: the platform's app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Test NinjaOne API credentials and, if the test passes, save them.
    Connect(ConnectArgs),
    /// Test a saved connection again with its stored secret.
    TestConnection(ConnectionArg),
    /// Forget the stored secret and retire the connection's assets; mappings are kept.
    Disconnect(ConnectionArg),
    /// The engine, the store and the saved connections.
    Status,
    /// NinjaOne organizations and their mapping to companies.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// The MSP's customer companies.
    #[command(subcommand)]
    Companies(CompaniesCommand),
    /// Asset sync now: every mapped company, or one; --preview shows what it would change.
    Sync(SyncArgs),
    /// The companies' assets.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Compliance sweep now: every compliance tenant, or one company's.
    Sweep(CompanyArg),
    /// The latest compliance signals of every compliance tenant, or one company's.
    Signals(CompanyArg),
    /// Tickets raised by compliance findings.
    #[command(subcommand)]
    Tickets(TicketsCommand),
    /// Compliance evidence.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// NinjaOne activities.
    #[command(subcommand)]
    Activities(ActivitiesCommand),
    /// The local webhook receiver.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Incidents from NinjaOne alerts.
    #[command(subcommand)]
    Incidents(IncidentsCommand),
    /// Recorded runs (syncs, sweeps and polls), newest first.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// The audit trail, newest first.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Headless demo for machines without a display: what the app would show, in text.
    Demo,
}

#[derive(Debug, Args)]
struct SyncArgs {
    /// Only this company's mappings.
    #[arg(long, value_name = "COMPANY_ID")]
    company: Option<i64>,
    /// Say what a sync would create, update, mark stale and retire; write nothing.
    #[arg(long)]
    preview: bool,
}

#[derive(Debug, Subcommand)]
enum AssetsCommand {
    /// List assets.
    List {
        /// Only this company's.
        #[arg(long, value_name = "COMPANY_ID")]
        company: Option<i64>,
        /// Which assets (default: active).
        #[arg(long, value_enum, default_value = "active")]
        status: StatusArg,
    },
    /// One asset: its fields and field history.
    Show { asset_id: i64 },
    /// Import another source's assets from a CSV (with a header row) or JSON array file.
    Import {
        /// Where the assets come from.
        #[arg(long, value_enum)]
        source: SourceArg,
        /// The file.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SourceArg {
    Level,
    Intune,
    Entra,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatusArg {
    Active,
    Stale,
    Retired,
    All,
}

#[derive(Debug, Args)]
pub struct CompanyArg {
    /// Only this company's.
    #[arg(long, value_name = "COMPANY_ID")]
    company: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List tickets.
    List {
        /// Which tickets (default: open).
        #[arg(long, value_enum, default_value = "open")]
        status: TicketStatusArg,
    },
    /// Every ticket as CSV or JSON, for a PSA.
    Export(ExportArgs),
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Evidence rows as CSV or JSON.
    Export {
        #[command(flatten)]
        export: ExportArgs,
        /// Only this company's.
        #[arg(long, value_name = "COMPANY_ID")]
        company: Option<i64>,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TicketStatusArg {
    Open,
    Closed,
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
enum ActivitiesCommand {
    /// Fetch new activities of the mapped organizations into incidents.
    Poll,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Process one webhook payload (an activity or a JSON array of them) from FILE or stdin.
    Ingest {
        /// The payload file (default: standard input).
        file: Option<PathBuf>,
    },
    /// Run the local receiver until Ctrl-C or SIGTERM, then store what it accepted and exit 0
    /// (secret: FLEETWARD_WEBHOOK_SECRET, else the stored one; 32+ characters beyond loopback).
    Serve {
        /// Port to listen on.
        #[arg(long)]
        port: u16,
        /// Address to listen on (any other than loopback needs a secret of 32+ characters).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: String,
    },
}

#[derive(Debug, Subcommand)]
enum IncidentsCommand {
    /// List incidents.
    List {
        /// Which incidents (default: open).
        #[arg(long, value_enum, default_value = "open")]
        status: IncidentStatusArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum IncidentStatusArg {
    Open,
    Resolved,
    All,
}

#[derive(Debug, Subcommand)]
enum RunsCommand {
    /// List runs.
    List,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// List audit events.
    List {
        /// Only this company's.
        #[arg(long, value_name = "COMPANY_ID")]
        company: Option<i64>,
    },
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["region", "base_url"]))]
struct ConnectArgs {
    /// NinjaOne region of the tenant.
    #[arg(long, value_enum)]
    region: Option<RegionArg>,
    /// Custom (white-labelled) address; https, or http on loopback.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// API client id (Administration → Apps → API → Client App IDs).
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Read the client secret from standard input (else FLEETWARD_CLIENT_SECRET).
    #[arg(long)]
    client_secret_stdin: bool,
    /// Name shown for this connection (default: the host).
    #[arg(long)]
    name: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RegionArg {
    Us,
    Us2,
    Eu,
    Ca,
    Oc,
}

#[derive(Debug, Args)]
struct ConnectionArg {
    /// Which saved connection (needed only when there are several).
    #[arg(long, value_name = "ID")]
    connection: Option<i64>,
}

#[derive(Debug, Subcommand)]
enum OrgsCommand {
    /// Discover organizations in NinjaOne and list them with their mapping state.
    List(ConnectionArg),
    /// Map every pending organization that has a same-name company to that company.
    AcceptSuggestions(ConnectionArg),
    /// Map one organization: to a company, to a new company, or ignore it.
    Map(MapArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("choice").required(true).args(["company", "create", "ignore"]))]
struct MapArgs {
    /// NinjaOne organization id.
    org_id: i64,
    /// Map to this existing company.
    #[arg(long, value_name = "COMPANY_ID")]
    company: Option<i64>,
    /// Create a company with the organization's name (or reuse the one so named).
    #[arg(long)]
    create: bool,
    /// Don't sync this organization.
    #[arg(long)]
    ignore: bool,
    /// Only sync devices of this NinjaOne location (repeatable).
    #[arg(long = "location", value_name = "ID")]
    locations: Vec<i64>,
    /// Also sync network and non-agent devices.
    #[arg(long)]
    non_agent: bool,
    /// Also sync each device's installed software.
    #[arg(long, conflicts_with = "no_software")]
    software: bool,
    /// Stop syncing installed software.
    #[arg(long)]
    no_software: bool,
    /// Leave out these optional field groups (comma-separated: processor, memory, volumes,
    /// network, location, organization, policy, owner, maintenance, warranty, health).
    #[arg(long = "drop-fields", value_name = "GROUP,…")]
    drop_fields: Option<String>,
    /// Keep these optional field groups again (comma-separated).
    #[arg(long = "keep-fields", value_name = "GROUP,…")]
    keep_fields: Option<String>,
    /// Keep this NinjaOne custom field (repeatable; replaces the kept list).
    #[arg(long = "custom-field", value_name = "NAME")]
    custom_fields: Vec<String>,
    /// Keep no NinjaOne custom fields.
    #[arg(long, conflicts_with = "custom_fields")]
    no_custom_fields: bool,
    #[command(flatten)]
    connection: ConnectionArg,
}

#[derive(Debug, Subcommand)]
enum CompaniesCommand {
    /// Add a company.
    Add { name: String },
    /// List companies.
    List,
    /// Promote a company to a compliance tenant.
    Promote { company_id: i64 },
}

/// How a command ended other than with success.
#[derive(Debug)]
pub enum Failure {
    Engine(fleetward_core::Error),
    /// Stdout was closed by its reader (`| head -1`): end quietly.
    OutputClosed,
    /// The user cancelled a run (Ctrl-C) and it stopped at a safe point.
    Cancelled,
}

impl From<fleetward_core::Error> for Failure {
    fn from(err: fleetward_core::Error) -> Failure {
        Failure::Engine(err)
    }
}

impl From<output::PrintError> for Failure {
    fn from(err: output::PrintError) -> Failure {
        match err {
            output::PrintError::Closed => Failure::OutputClosed,
            output::PrintError::Failed(err) => Failure::Engine(err),
        }
    }
}

fn main() -> ExitCode {
    fleetward_core::allocator::give_memory_back_promptly();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: a log file keeps plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEETWARD_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: could not start the background runtime: {err}");
            return ExitCode::from(exit::OTHER);
        }
    };
    let started: EngineSlot = Arc::default();
    // `webhook serve` runs until Ctrl-C or SIGTERM, which is how it is meant to end: it
    // handles both itself, storing what it accepted before it exits.
    let serving = matches!(cli.command, Command::Webhook(WebhookCommand::Serve { .. }));
    let outcome = runtime.block_on(async {
        if serving {
            return Some(run(cli, started.clone()).await);
        }
        tokio::select! {
            outcome = run(cli, started.clone()) => Some(outcome),
            // Dropping the command's future rolls back any transaction in flight.
            () = interrupted(&started) => None,
        }
    });
    match outcome {
        Some(Ok(())) | Some(Err(Failure::OutputClosed)) => ExitCode::SUCCESS,
        Some(Err(Failure::Cancelled)) => {
            eprintln!("Cancelled. Companies synced before that were kept whole; the others keep their assets as they were. Run the command again to finish.");
            ExitCode::from(exit::INTERRUPTED)
        }
        Some(Err(Failure::Engine(err))) => {
            eprintln!("error: {err}");
            ExitCode::from(exit::code_for(err.kind()))
        }
        None => {
            eprintln!("Stopped (Ctrl-C). Nothing half-written was kept; run the command again to finish it.");
            ExitCode::from(exit::INTERRUPTED)
        }
    }
}

/// The engine once the command has started it, so Ctrl-C can cancel its runs.
type EngineSlot = Arc<std::sync::OnceLock<Arc<Engine>>>;

/// Resolves when the command must stop at once. A first Ctrl-C during a run cancels it (the
/// run stops at its next safe point and reports); a second one, or one while no run is in
/// progress, stops at once.
/// SIGTERM (unix) and the console closing (Windows) count as a first Ctrl-C.
async fn interrupted(started: &EngineSlot) {
    let mut signals = match stop::StopSignals::listen() {
        Ok(signals) => signals,
        Err(err) => {
            tracing::warn!(error = %err, "stop signals other than Ctrl-C cannot be listened for");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    let first = signals.next().await;
    if started.get().is_some_and(|engine| engine.cancel_runs() > 0) {
        eprintln!(
            "Cancelling at the next safe point ({first}; press Ctrl-C again to stop at once)…"
        );
        signals.next().await;
    }
}

async fn run(cli: Cli, started: EngineSlot) -> Result<(), Failure> {
    // Input errors are found before the store is opened, so a typo never waits on a lock.
    if let Command::Connect(args) = &cli.command {
        commands::validate_connect(args)?;
    }
    let (config, _demo_folder) = match cli.command {
        Command::Demo => demo_config(cli.data_dir.clone())?,
        _ => (
            EngineConfig::new(data_dir::from_env(cli.data_dir.clone())?),
            None,
        ),
    };
    let engine = Engine::start(config).await?;
    let _ = started.set(engine.clone());
    // What the engine waits for (throttling, retries, timeouts) is said on stderr as it happens.
    let mut events = engine.subscribe();
    let waits = tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let fleetward_core::EngineEvent::Waiting { message } = event {
                eprintln!("waiting: {message}");
            }
        }
    });
    let out = output::Output::new(cli.json);
    let result = match cli.command {
        Command::Connect(args) => commands::connect(&engine, &out, args).await,
        Command::TestConnection(args) => commands::test_connection(&engine, &out, args).await,
        Command::Disconnect(args) => commands::disconnect(&engine, &out, args).await,
        Command::Status => commands::status(&engine, &out).await,
        Command::Orgs(command) => commands::orgs(&engine, &out, command).await,
        Command::Companies(command) => commands::companies(&engine, &out, command).await,
        Command::Sync(args) => commands::sync(&engine, &out, args).await,
        Command::Assets(command) => commands::assets(&engine, &out, command).await,
        Command::Activities(ActivitiesCommand::Poll) => commands::poll(&engine, &out).await,
        Command::Webhook(WebhookCommand::Ingest { file }) => {
            commands::webhook_ingest(&engine, &out, file).await
        }
        Command::Webhook(WebhookCommand::Serve { port, bind }) => {
            commands::webhook_serve(&engine, &out, port, &bind).await
        }
        Command::Incidents(IncidentsCommand::List { status }) => {
            commands::incidents(&engine, &out, status).await
        }
        Command::Sweep(args) => commands::sweep(&engine, &out, args).await,
        Command::Signals(args) => commands::signals(&engine, &out, args).await,
        Command::Tickets(command) => commands::tickets(&engine, &out, command).await,
        Command::Evidence(command) => commands::evidence(&engine, &out, command).await,
        Command::Runs(RunsCommand::List) => commands::runs(&engine, &out).await,
        Command::Audit(AuditCommand::List { company }) => {
            commands::audit(&engine, &out, company).await
        }
        Command::Demo => commands::demo(&engine, &out).await,
    };
    waits.abort();
    engine.close().await;
    result
}

/// The headless demo never touches a real store: it runs in a new temporary folder, or in
/// the folder `--data-dir` names if that folder is empty or already a demo's. Its made-up
/// data needs no keychain: the key lives beside its store (SPEC §9).
fn demo_config(
    explicit: Option<PathBuf>,
) -> fleetward_core::Result<(EngineConfig, Option<tempfile::TempDir>)> {
    let (folder, temporary) = match explicit {
        Some(folder) => (folder, None),
        None => {
            let temporary = tempfile::tempdir().map_err(|e| {
                fleetward_core::Error::Internal(format!("No temporary folder for the demo: {e}"))
            })?;
            (temporary.path().to_path_buf(), Some(temporary))
        }
    };
    if !DemoFolderSecrets::is_demo_folder(&folder) {
        return Err(fleetward_core::Error::InvalidInput(format!(
            "{} holds a real Fleetward store; the demo only runs in a folder of its own. Leave out \
             --data-dir (the demo then uses a temporary folder), or name an empty folder.",
            folder.display()
        )));
    }
    let config = EngineConfig {
        secrets: Arc::new(DemoFolderSecrets::new(&folder)),
        store_key: None,
        ..EngineConfig::new(folder)
    };
    Ok((config, temporary))
}

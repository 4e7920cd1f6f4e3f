//! `fleetward-cli`: the engine from the command line (SPEC §10). Human text on stdout by
//! default, JSON with `--json`, progress and errors on stderr, and exit codes that scripts
//! can branch on.

mod commands;
mod exit;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use fleetward_core::{data_dir, Engine, EngineConfig};

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
    /// Headless demo for machines without a display: what the app would show, in text.
    Demo,
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

fn main() -> ExitCode {
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
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(exit::code_for(err.kind()))
        }
    }
}

async fn run(cli: Cli) -> fleetward_core::Result<()> {
    // Input errors are found before the store is opened, so a typo never waits on a lock.
    if let Command::Connect(args) = &cli.command {
        commands::validate_connect(args)?;
    }
    // The headless demo never writes into the real store unless told where to write.
    let demo_folder = match (
        &cli.command,
        &cli.data_dir,
        std::env::var_os(data_dir::DATA_DIR_ENV),
    ) {
        (Command::Demo, None, None) => Some(tempfile::tempdir().map_err(|e| {
            fleetward_core::Error::Internal(format!("No temporary folder for the demo: {e}"))
        })?),
        _ => None,
    };
    let explicit = cli
        .data_dir
        .clone()
        .or_else(|| demo_folder.as_ref().map(|d| d.path().to_path_buf()));
    let data_dir = data_dir::from_env(explicit)?;
    let engine = Engine::start(EngineConfig::new(data_dir)).await?;
    let out = output::Output::new(cli.json);
    match cli.command {
        Command::Connect(args) => commands::connect(&engine, &out, args).await,
        Command::TestConnection(args) => commands::test_connection(&engine, &out, args).await,
        Command::Disconnect(args) => commands::disconnect(&engine, &out, args).await,
        Command::Status => commands::status(&engine, &out).await,
        Command::Orgs(command) => commands::orgs(&engine, &out, command).await,
        Command::Companies(command) => commands::companies(&engine, &out, command).await,
        Command::Demo => commands::demo(&engine, &out).await,
    }
}

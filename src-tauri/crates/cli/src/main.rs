//! `fleetward-cli`: the engine from the command line (SPEC §10). Human text on stdout by
//! default, JSON with `--json`, progress and errors on stderr, and exit codes that scripts
//! can branch on.

mod exit;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fleetward_core::{data_dir, Engine, EngineConfig, EngineStatus};

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
    /// Show the engine's state: version, data folder, encryption self-check, schedules.
    Status,
    /// Headless demo for machines without a display: what the app would show, in text.
    Demo,
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
    let data_dir = data_dir::from_env(cli.data_dir)?;
    let engine = Engine::start(EngineConfig { data_dir }).await?;
    match cli.command {
        Command::Status => print_status(&engine.status(), cli.json),
        Command::Demo => {
            eprintln!("No display found: running Fleetward's headless demo.");
            print_status(&engine.status(), cli.json);
        }
    }
    Ok(())
}

fn print_status(status: &EngineStatus, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(status).expect("engine status is plain data")
        );
        return;
    }
    println!("Fleetward {}", status.version);
    println!("Data folder:   {}", status.data_dir);
    println!(
        "Encryption:    SQLCipher {} (SQLite {})",
        status
            .self_check
            .sqlcipher_version
            .as_deref()
            .unwrap_or("missing"),
        status.self_check.sqlite_version
    );
    println!(
        "Schedules:     {}",
        if status.schedules_paused {
            "paused"
        } else {
            "active"
        }
    );
}

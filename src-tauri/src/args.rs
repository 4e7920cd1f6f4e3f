//! The app's command line: `--data-dir DIR` as for the CLI (SPEC §9), and `--demo`.

use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Default, Parser)]
#[command(name = "fleetward", version, about = "Fleetward for MSP technicians")]
pub struct AppArgs {
    /// Folder of the encrypted store (default: the platform's app-data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Start the built-in NinjaOne simulator and offer its ready-made tenant.
    #[arg(long)]
    pub demo: bool,
}

impl AppArgs {
    /// The process's arguments. Launchers add their own (e.g. macOS's `-psn_…`), so what
    /// cannot be parsed is logged and ignored rather than stopping the app.
    pub fn from_process() -> AppArgs {
        match AppArgs::try_parse() {
            Ok(args) => args,
            Err(err) if !err.use_stderr() => {
                // --help or --version: print and leave, as a command-line program would.
                let _ = err.print();
                std::process::exit(0);
            }
            Err(err) => {
                tracing::warn!(error = %err, "ignoring command-line arguments Fleetward does not know");
                AppArgs::try_parse_from(
                    std::env::args_os()
                        .take(1)
                        .chain(known_arguments(std::env::args_os().skip(1))),
                )
                .unwrap_or_default()
            }
        }
    }
}

/// Keeps `--demo`, `--data-dir DIR` and `--data-dir=DIR`, drops anything else.
fn known_arguments(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut kept = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--demo" || text.starts_with("--data-dir=") {
            kept.push(arg);
        } else if text == "--data-dir" {
            kept.push(arg);
            if let Some(value) = args.next() {
                kept.push(value);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_and_demo_are_read_and_launcher_arguments_ignored() {
        let args = AppArgs::try_parse_from(["fleetward", "--data-dir", "/x", "--demo"]).unwrap();
        assert_eq!(args.data_dir, Some(PathBuf::from("/x")));
        assert!(args.demo);
        let kept = known_arguments(
            ["-psn_0_123", "--data-dir=/y", "--weird"]
                .into_iter()
                .map(std::ffi::OsString::from),
        );
        let args = AppArgs::try_parse_from(
            std::iter::once(std::ffi::OsString::from("fleetward")).chain(kept),
        )
        .unwrap();
        assert_eq!(args.data_dir, Some(PathBuf::from("/y")));
        assert!(!args.demo);
    }
}

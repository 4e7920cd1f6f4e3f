//! Running child processes: plainly, or with their output echoed and kept so that test
//! counts can be read from it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

pub fn command(dir: &Path, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir);
    cmd
}

/// Runs to completion with inherited output; an error names the command.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    status(command(dir, program, args))
}

pub fn status(mut cmd: Command) -> Result<(), String> {
    let shown = describe(&cmd);
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs with stdout and stderr echoed line by line as they come, and returns all lines (for
/// reading test counts) with whether the command succeeded.
pub fn run_captured(mut cmd: Command) -> Result<(bool, Vec<String>), String> {
    let shown = describe(&cmd);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    .enumerate()
    .map(|(i, stream)| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send((i == 1, line)).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    let mut lines = Vec::new();
    for (is_err, line) in rx {
        if is_err {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
        lines.push(line);
    }
    for reader in readers {
        let _ = reader.join();
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` could not be waited for: {e}"))?;
    Ok((status.success(), lines))
}

pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

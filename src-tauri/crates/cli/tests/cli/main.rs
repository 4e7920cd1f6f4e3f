//! The CLI binary as a script would run it: a real process, a real encrypted store in a temp
//! folder, the simulator over loopback, and the exit codes of SPEC §10. `commands` covers
//! each command; `hardening` covers what a careful user or an attacker would try; `full_disk` fills a real
//! (namespaced) disk under it.

mod commands;
mod compliance;
mod crash;
#[cfg(target_os = "linux")]
mod full_disk;
mod hardening;
mod incidents;
// Its signal tests are Unix only; their helpers stay compiled everywhere.
#[cfg_attr(not(unix), allow(dead_code, unused_imports))]
mod webhook_serve;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ninjaone_sim::{SimConfig, Simulator};
use serde_json::Value;

const KEY: &str = "5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn cli(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fleetward-cli"));
    cmd.arg("--data-dir")
        .arg(data)
        .env("FLEETWARD_STORE_KEY", KEY)
        .env_remove("FLEETWARD_CLIENT_SECRET")
        .env_remove("FLEETWARD_DATA_DIR");
    cmd
}

fn run(data: &Path, args: &[&str]) -> Output {
    cli(data).args(args).output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A simulator on its own runtime, so the blocking CLI calls of a test don't stall it.
struct Sim {
    _runtime: tokio::runtime::Runtime,
    sim: Simulator,
}

fn sim(config: SimConfig) -> Sim {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Simulator::start(config)).unwrap();
    Sim {
        _runtime: runtime,
        sim,
    }
}

fn connect(data: &Path, sim: &Simulator, secret: &str) -> Output {
    connect_with(cli(data), sim, secret)
}

/// `connect` to the simulator through `cmd` (a `cli` command, perhaps with more settings),
/// the secret piped in as a script would.
fn connect_with(mut cmd: Command, sim: &Simulator, secret: &str) -> Output {
    let mut child = cmd
        .args([
            "--json",
            "connect",
            "--base-url",
            &sim.base_url(),
            "--client-id",
            "sim-client",
            "--client-secret-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

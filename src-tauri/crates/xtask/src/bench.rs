//! `cargo xtask bench [NAME]`: runs the named benchmark (or all) and prints its figures.
//! Performance targets live in these figures, never in timed unit tests. Benchmarks build in
//! release mode.

use std::path::Path;

use crate::process;

struct Benchmark {
    name: &'static str,
    what: &'static str,
    run: fn(&Path) -> Result<(), String>,
}

const BENCHMARKS: &[Benchmark] = &[
    Benchmark {
        name: "client",
        what: "stream all devices of a 100,000-device simulated tenant: devices/s, requests, peak RSS",
        run: client,
    },
    Benchmark {
        name: "sync",
        what: "asset sync of 100 orgs × 500 devices (first, unchanged, 1 % changed) and 5,000 orgs × 10: time, devices/s, requests by endpoint, rows, peak RSS",
        run: sync,
    },
    Benchmark {
        name: "incidents",
        what: "100,000 webhook deliveries from concurrent senders to the receiver, then a poll of the same stream: events/s, p50/p99 answer latency, final incidents against the expected; the first poll of 100 orgs × 500 devices synced (about 4,000 active alerts to seed): time; peak RSS",
        run: incidents,
    },
    Benchmark {
        name: "sweep",
        what: "compliance sweep of 100 tenants / 50,000 devices (dry run, then with tickets): time, CPU, requests by report next to the floor and one request set per customer, peak RSS",
        run: sweep,
    },
    Benchmark {
        name: "startup",
        what: "release app under Xvfb: launch to first painted screen (cold, warm), idle RSS of the Rust process, .deb size",
        run: crate::startup::run,
    },
];

/// Every benchmark at a tiny size in the debug profile, so that CI proves they still run
/// without paying for a release build (`FLEETWARD_BENCH_SIZE=tiny`).
pub fn tiny(root: &Path) -> Result<(), String> {
    process::run(
        root,
        "cargo",
        &[
            "build",
            "--locked",
            "-p",
            "ninjaone-sim",
            "--bin",
            "ninjaone-sim",
        ],
    )?;
    let sim = crate::target_dir(root)
        .join("debug")
        .join(format!("ninjaone-sim{}", std::env::consts::EXE_SUFFIX));
    for (package, bench) in [
        ("ninjaone", "client"),
        ("fleetward-core", "sync"),
        ("fleetward-receiver", "incidents"),
        ("fleetward-core", "sweep"),
    ] {
        let mut cmd = process::command(
            root,
            "cargo",
            &[
                "bench",
                "--profile",
                "dev",
                "--locked",
                "-p",
                package,
                "--bench",
                bench,
            ],
        );
        cmd.env("FLEETWARD_BENCH_SIZE", "tiny")
            .env("NINJAONE_SIM_BIN", &sim);
        process::status(cmd)?;
    }
    Ok(())
}

fn sync(root: &Path) -> Result<(), String> {
    against_simulator(root, "fleetward-core", "sync")
}

fn sweep(root: &Path) -> Result<(), String> {
    against_simulator(root, "fleetward-core", "sweep")
}

fn incidents(root: &Path) -> Result<(), String> {
    against_simulator(root, "fleetward-receiver", "incidents")
}

/// A benchmark of `package` run in release against the release simulator in its own process.
fn against_simulator(root: &Path, package: &str, bench: &str) -> Result<(), String> {
    let sim = release_sim(root)?;
    let mut cmd = process::command(
        root,
        "cargo",
        &["bench", "--locked", "-p", package, "--bench", bench],
    );
    cmd.env("NINJAONE_SIM_BIN", sim);
    process::status(cmd)
}

/// The simulator built for release, as the benchmarks run it: in a process of its own.
fn release_sim(root: &Path) -> Result<std::path::PathBuf, String> {
    process::run(
        root,
        "cargo",
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "ninjaone-sim",
            "--bin",
            "ninjaone-sim",
        ],
    )?;
    Ok(crate::target_dir(root)
        .join("release")
        .join(format!("ninjaone-sim{}", std::env::consts::EXE_SUFFIX)))
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let wanted = args.first().map(String::as_str);
    let selected: Vec<&Benchmark> = BENCHMARKS
        .iter()
        .filter(|b| wanted.is_none_or(|w| w == b.name))
        .collect();
    if selected.is_empty() {
        let known: Vec<&str> = BENCHMARKS.iter().map(|b| b.name).collect();
        return Err(format!(
            "no benchmark named '{}' (known: {})",
            wanted.unwrap_or_default(),
            known.join(", ")
        ));
    }
    for bench in selected {
        println!("== {}: {}", bench.name, bench.what);
        (bench.run)(root)?;
    }
    Ok(())
}

fn client(root: &Path) -> Result<(), String> {
    against_simulator(root, "ninjaone", "client")
}

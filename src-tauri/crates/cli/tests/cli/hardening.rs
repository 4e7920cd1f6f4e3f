//! What a careful user or an attacker would try (issue: hardening): secrets in logs, many
//! processes at once, hostile names, closed and full outputs, a damaged store, the demo
//! beside a real store, waits without an end.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::Child;

use ninjaone_sim::{FaultKind, Faults};

use super::*;

/// Starts `n` copies of a command at once and waits for all of them.
fn parallel(data: &Path, n: usize, args: impl Fn(usize) -> Vec<String>) -> Vec<Output> {
    let children: Vec<Child> = (0..n)
        .map(|i| {
            cli(data)
                .args(args(i))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// An exit status as a person reads it, with the signal that ended the process if one did.
fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(status) {
        return format!("killed by signal {signal}");
    }
    format!("exit {:?}", status.code())
}

fn assert_all_succeeded(outputs: &[Output], what: &str) {
    let failed: Vec<String> = outputs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| format!("{}: {}", describe(&o.status), stderr(o)))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} parallel `{what}` failed: {failed:?}",
        failed.len(),
        outputs.len()
    );
}

fn company_names(data: &Path) -> Vec<String> {
    json(&run(data, &["--json", "companies", "list"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn connected(s: &Sim, data: &Path) {
    let out = connect(data, &s.sim, "sim-secret");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn no_secret_reaches_the_log_even_at_trace_level() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut traced = cli(&data);
    traced.env("FLEETWARD_LOG", "trace");
    let out = connect_with(traced, &s.sim, "sim-secret");
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = cli(&data)
        .env("FLEETWARD_LOG", "trace")
        .args(["orgs", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let log = format!("{}{}", stderr(&out), stderr(&listed));
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "the log was really at trace level"
    );
    assert!(!log.contains(KEY), "the store key reached the log");
    assert!(
        !log.to_lowercase().contains(&KEY[..32]),
        "part of the store key reached the log"
    );
    assert!(
        !log.contains("sim-secret"),
        "the client secret reached the log"
    );
    let tokens = s.sim.control().issued_tokens();
    assert!(!tokens.is_empty());
    for token in tokens {
        assert!(!log.contains(&token), "a bearer token reached the log");
    }
}

#[test]
fn twenty_first_runs_on_a_new_folder_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let outputs = parallel(&data, 20, |i| {
        vec!["companies".into(), "add".into(), format!("Customer {i}")]
    });
    assert_all_succeeded(&outputs, "companies add (first run)");
    assert_eq!(company_names(&data).len(), 20);
}

#[test]
fn twenty_processes_adding_the_same_company_end_with_one_company() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["status"]);
    let outputs = parallel(&data, 20, |_| {
        vec!["companies".into(), "add".into(), "Acme Ltd".into()]
    });
    let added = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(added, 1, "exactly one process adds it");
    for refused in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(refused));
        assert!(
            stderr(refused).contains("already exists"),
            "{}",
            stderr(refused)
        );
    }
    assert_eq!(company_names(&data), vec!["Acme Ltd"]);
}

#[test]
fn parallel_listing_mapping_and_accepting_never_fail_on_a_lock() {
    let s = sim(SimConfig {
        orgs: 6,
        devices_per_org: 2,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);

    let listed = parallel(&data, 10, |_| {
        vec!["--json".into(), "orgs".into(), "list".into()]
    });
    assert_all_succeeded(&listed, "orgs list");

    let orgs: Vec<i64> = json(&listed[0])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orgId"].as_i64().unwrap())
        .collect();
    let org = orgs[0].to_string();
    let mapped = parallel(&data, 20, |_| {
        vec![
            "--json".into(),
            "orgs".into(),
            "map".into(),
            org.clone(),
            "--create".into(),
        ]
    });
    assert_all_succeeded(&mapped, "orgs map N --create");
    let companies: BTreeSet<i64> = mapped
        .iter()
        .map(|o| json(o)["companyId"].as_i64().unwrap())
        .collect();
    assert_eq!(
        companies.len(),
        1,
        "every process mapped to the one company"
    );
    assert_eq!(company_names(&data).len(), 1);

    // Companies named like the other organizations, so that they all have suggestions.
    let names: Vec<String> = json(&listed[0])
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    for name in &names {
        // The simulated tenant has names that differ only in case; those share one company.
        let out = run(&data, &["companies", "add", name]);
        assert!(
            out.status.success() || stderr(&out).contains("already exists"),
            "{}",
            stderr(&out)
        );
    }
    let accepted = parallel(&data, 20, |_| {
        vec!["--json".into(), "orgs".into(), "accept-suggestions".into()]
    });
    assert_all_succeeded(&accepted, "orgs accept-suggestions");
    let total: usize = accepted
        .iter()
        .map(|o| json(o).as_array().unwrap().len())
        .sum();
    assert!(
        total >= names.len(),
        "every suggestion was accepted by some process"
    );
    let after = json(&run(&data, &["--json", "orgs", "list"]));
    assert!(after
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["state"] == "mapped"));
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // More than a pipe holds (64 KiB), so the command is still writing when the reader goes.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = fleetward_core::EngineConfig {
            store_key: Some(KEY.to_string().into()),
            ..fleetward_core::testing::config(data.clone())
        };
        let engine = fleetward_core::Engine::start(config).await.unwrap();
        for i in 0..500 {
            engine
                .add_company(&format!("{i:04} {}", "x".repeat(180)))
                .await
                .unwrap();
        }
    });
    // As `companies list | head -c 10` does, on every platform: read a little, then close.
    let mut child = cli(&data)
        .args(["companies", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["companies", "add", "Acme"]);
    let out = cli(&data)
        .args(["companies", "list"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not be written"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn hostile_names_are_escaped_for_people_and_exact_in_json() {
    let s = sim(SimConfig {
        orgs: 3,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);
    let orgs = s.sim.control().organizations();
    let hostile = "Evil\u{1b}[2J\n   99  Forged row\u{7}\u{202e}";
    s.sim
        .control()
        .rename_organization(orgs[0].id.unwrap(), hostile);
    s.sim
        .control()
        .rename_organization(orgs[1].id.unwrap(), "   ");

    let human = run(&data, &["orgs", "list"]);
    assert!(human.status.success(), "{}", stderr(&human));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'));
    assert!(
        text.contains("Evil\\u{1b}[2J\\n   99  Forged row"),
        "{text}"
    );
    assert!(!text
        .lines()
        .any(|l| l.trim_start().starts_with("99  Forged")));
    let listed = json(&run(&data, &["--json", "orgs", "list"]));
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == hostile));

    let blank = orgs[1].id.unwrap().to_string();
    let mapped = json(&run(&data, &["--json", "orgs", "map", &blank, "--create"]));
    let id = mapped["companyId"].as_i64().unwrap();
    let made = json(&run(&data, &["--json", "companies", "list"]));
    let made = made
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    assert_eq!(
        made["name"],
        format!("Organization {blank}"),
        "never an empty name"
    );

    let evil = orgs[0].id.unwrap().to_string();
    let mapped = json(&run(&data, &["--json", "orgs", "map", &evil, "--create"]));
    let id = mapped["companyId"].as_i64().unwrap();
    let made = json(&run(&data, &["--json", "companies", "list"]));
    let name = made
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!name.chars().any(char::is_control), "{name:?}");

    for typed in [
        "Acme\nLtd".to_string(),
        "\u{1b}[31mRed".to_string(),
        "y".repeat(100_000),
    ] {
        let out = run(&data, &["companies", "add", &typed]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
}

#[test]
fn a_location_the_organization_does_not_have_is_refused() {
    let s = sim(SimConfig {
        orgs: 2,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);
    let org = s.sim.control().organizations()[0].id.unwrap().to_string();
    let out = run(
        &data,
        &["orgs", "map", &org, "--create", "--location", "99999"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no location 99999"),
        "{}",
        stderr(&out)
    );
    assert!(company_names(&data).is_empty(), "nothing was created");
}

#[test]
fn the_demo_never_writes_into_a_real_store() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    run(&real, &["companies", "add", "Real customer"]);
    let before = std::fs::read(real.join("fleetward.db")).unwrap();

    let out = run(&real, &["demo"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("folder of its own"),
        "{}",
        stderr(&out)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_fleetward-cli"))
        .arg("demo")
        .env("FLEETWARD_DATA_DIR", &real)
        .env_remove("FLEETWARD_STORE_KEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read(real.join("fleetward.db")).unwrap() == before,
        "the real store was written to"
    );
    assert_eq!(company_names(&real), vec!["Real customer"]);
}

#[test]
fn the_demo_runs_without_any_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let no_keychain_demo = || {
        let mut cmd = cli(&demo);
        cmd.arg("demo")
            .env_remove("FLEETWARD_STORE_KEY")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        cmd.output().unwrap()
    };
    let out = no_keychain_demo();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Mapped the first two"));
    let again = no_keychain_demo();
    assert!(
        again.status.success(),
        "the demo folder reopens with the key kept beside its store: {}",
        stderr(&again)
    );
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_store_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["companies", "add", "Acme"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            mode(&path) & 0o077,
            0,
            "{} is readable by others",
            path.display()
        );
    }
}

#[test]
fn a_store_emptied_beside_its_write_ahead_log_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["companies", "add", "Acme"]);
    let db = data.join("fleetward.db");
    let wal = data.join("fleetward.db-wal");
    std::fs::write(&db, b"").unwrap();
    std::fs::write(&wal, vec![7u8; 4096]).unwrap();
    let out = run(&data, &["companies", "list"]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_eq!(
        std::fs::metadata(&db).unwrap().len(),
        0,
        "the store file was not replaced"
    );
    assert_eq!(
        std::fs::read(&wal).unwrap(),
        vec![7u8; 4096],
        "the log was not touched"
    );
}

#[test]
fn a_log_written_to_a_file_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data)
        .env("FLEETWARD_LOG", "debug")
        .args(["status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = stderr(&out);
    assert!(log.contains("DEBUG") || log.contains("INFO"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a piped log");
}

#[test]
fn waits_on_ninjaone_are_said_on_stderr_with_their_attempt() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);
    s.sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::TooManyRequests {
            retry_after_secs: 1,
        }],
        include_token_endpoint: false,
    });
    let out = run(&data, &["test-connection"]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "throttled beyond the budget: {}",
        stderr(&out)
    );
    let log = stderr(&out);
    assert!(log.contains("NinjaOne asked to wait 1 s"), "{log}");
    assert!(log.contains("attempt 2 of 6"), "{log}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_command_waiting_on_a_silent_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = cli(&data)
        .args([
            "connect",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "--client-id",
            "x",
        ])
        .env("FLEETWARD_CLIENT_SECRET", "y")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command is mid-request once the server has its connection; it never answers.
    let (_held, _) = listener.accept().unwrap();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let exit = child.wait().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(exit.code(), Some(130), "{err}");
    assert!(err.contains("Stopped (Ctrl-C)"), "{err}");
}

/// Waits (bounded) until a run is recorded in the store at `data`.
fn wait_for_a_run(data: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let runs = json(&run(data, &["--json", "runs", "list"]));
        if runs.as_array().is_some_and(|r| !r.is_empty()) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_second_process_syncing_the_same_company_exits_7_and_changes_nothing() {
    let s = sim(SimConfig {
        orgs: 1,
        devices_per_org: 6,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);
    let org = s.sim.control().organizations()[0].id.unwrap().to_string();
    let mapped = json(&run(&data, &["--json", "orgs", "map", &org, "--create"]));
    let company = mapped["companyId"].as_i64().unwrap().to_string();
    s.sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::Latency { millis: 700 }],
        include_token_endpoint: false,
    });
    let first = cli(&data)
        .args(["--json", "sync", "--company", &company])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_a_run(&data);
    let second = run(&data, &["sync", "--company", &company]);
    assert_eq!(second.status.code(), Some(7), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("already running"),
        "{}",
        stderr(&second)
    );
    let runs = json(&run(&data, &["--json", "runs", "list"]));
    assert_eq!(
        runs.as_array().unwrap().len(),
        1,
        "the refused sync recorded no run: {runs}"
    );
    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    s.sim.control().clear_faults();
    let again = run(&data, &["sync", "--company", &company]);
    assert!(again.status.success(), "free again: {}", stderr(&again));
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_a_sync_which_stops_at_a_safe_point_and_says_so() {
    cancels_a_sync_at_a_safe_point("INT");
}

/// What a service manager (systemd, launchd) sends to stop a scheduled `fleetward-cli sync`.
#[cfg(unix)]
#[test]
fn sigterm_cancels_a_sync_at_a_safe_point_like_ctrl_c() {
    cancels_a_sync_at_a_safe_point("TERM");
}

#[cfg(unix)]
fn cancels_a_sync_at_a_safe_point(signal: &str) {
    let s = sim(SimConfig {
        orgs: 2,
        devices_per_org: 5,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    connected(&s, &data);
    for org in s.sim.control().organizations() {
        let org = org.id.unwrap().to_string();
        let out = run(&data, &["orgs", "map", &org, "--create"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    s.sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::Latency { millis: 20_000 }],
        include_token_endpoint: false,
    });
    let mut child = cli(&data)
        .args(["sync"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the run is recorded, press Ctrl-C (or send SIGTERM) once.
    wait_for_a_run(&data);
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(exit.code(), Some(130), "{err}");
    assert!(err.contains("Cancelled"), "{err}");
    s.sim.control().clear_faults();
    let runs = json(&run(&data, &["--json", "runs", "list"]));
    assert_eq!(runs[0]["status"], "cancelled", "{runs}");
    let out = run(&data, &["sync"]);
    assert!(
        out.status.success(),
        "syncs again afterwards: {}",
        stderr(&out)
    );
}

#[test]
fn an_endless_input_is_refused_at_its_limit_instead_of_filling_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(&data, &["companies", "add", "Acme"]);
    for args in [
        vec!["webhook", "ingest"],
        vec!["webhook", "ingest", "/dev/zero"],
        vec!["assets", "import", "--source", "level", "/dev/zero"],
    ] {
        let mut cmd = cli(&data);
        cmd.args(&args);
        if args.len() == 2 {
            cmd.stdin(std::fs::File::open("/dev/zero").unwrap());
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("larger than 50 MiB"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

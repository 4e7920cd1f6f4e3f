//! `webhook serve` as a service manager runs it (SPEC §7, §10): an activity answered `202`
//! is in the store after a SIGKILL (once the receiver starts again), a SIGTERM or a Ctrl-C;
//! a stop drains and exits 0; its secret is checked before it listens.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::incidents::{incidents, mapped, triggered};
use super::*;

const SECRET: &str = "serve-secret";
/// Three deliveries of NinjaOne's largest page: the last is still being processed when the
/// signal comes.
const DELIVERIES: i64 = 3;
const PER_DELIVERY: i64 = 1_000;
const SERIES: &str = "durable-";

/// A running `webhook serve`, its port and its stderr lines as they come.
struct Serving {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `webhook serve` on loopback and waits (bounded) until it says it listens.
fn serve(dir: &Path) -> Serving {
    let port = free_port();
    let mut child = cli(dir)
        .args(["webhook", "serve", "--port", &port.to_string()])
        .env("FLEETWARD_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains("Receiving NinjaOne webhooks at") => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("webhook serve did not start listening");
            }
        }
    }
    Serving { child, port, lines }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (bounded) for the process to end; its exit code and the rest of its stderr.
fn ended(mut s: Serving) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = s.child.kill();
            panic!("webhook serve did not stop within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let rest: Vec<String> = s.lines.try_iter().collect();
    (status.code(), rest.join("\n"))
}

/// Sends the deliveries one after the other; the ids of those answered `202`.
fn deliver(port: u16, device: i64) -> Vec<i64> {
    let client = reqwest::blocking::Client::new();
    let mut accepted = Vec::new();
    for d in 0..DELIVERIES {
        let ids: Vec<i64> = (0..PER_DELIVERY)
            .map(|n| 10_000 + d * PER_DELIVERY + n)
            .collect();
        let body = format!(
            "[{}]",
            ids.iter()
                .map(|id| triggered(*id, device, &format!("{SERIES}{id}")))
                .collect::<Vec<_>>()
                .join(",")
        );
        let answer = client
            .post(format!("http://127.0.0.1:{port}/ninjaone/webhook"))
            .header("X-Fleetward-Secret", SECRET)
            .body(body)
            .send()
            .unwrap();
        if answer.status() == 202 {
            accepted.extend(ids);
        }
    }
    accepted
}

/// What a delivery then `signal` leaves: activities answered `202` but not in the store (after
/// a restart of the receiver, which processes what a killed one left), how many were
/// answered `202`, and how the signalled process ended.
fn lost_after(name: &str) -> (usize, usize, Option<i32>, String) {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let device = mapped(dir.path(), &s);
    let serving = serve(dir.path());
    let accepted = deliver(serving.port, device);
    signal(&serving.child, name);
    let (code, log) = ended(serving);
    let again = serve(dir.path());
    signal(&again.child, "TERM");
    ended(again);
    let stored: HashSet<String> = incidents(dir.path(), "all")
        .iter()
        .filter_map(|r| r["key"].as_str().map(String::from))
        .filter(|k| k.starts_with(SERIES))
        .collect();
    let lost = accepted
        .iter()
        .filter(|id| !stored.contains(&format!("{SERIES}{id}")))
        .count();
    (lost, accepted.len(), code, log)
}

#[test]
// Sent with kill(1): Windows stops a console program with a control event, which this test
// cannot send.
#[cfg(unix)]
fn every_activity_answered_202_is_stored_after_a_sigkill_and_a_restart() {
    let (lost, accepted, _, _) = lost_after("KILL");
    assert!(accepted > 0, "nothing was accepted");
    assert_eq!(
        lost, 0,
        "SIGKILL lost {lost} of {accepted} activities answered 202"
    );
}

#[test]
// Sent with kill(1): Windows stops a console program with a control event, which this test
// cannot send.
#[cfg(unix)]
fn sigterm_drains_every_activity_answered_202_and_exits_0() {
    let (lost, accepted, code, log) = lost_after("TERM");
    assert!(accepted > 0, "nothing was accepted");
    assert_eq!(
        lost, 0,
        "SIGTERM lost {lost} of {accepted} activities answered 202"
    );
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("Stopped receiving webhooks"), "{log}");
}

#[test]
// Sent with kill(1): Windows stops a console program with a control event, which this test
// cannot send.
#[cfg(unix)]
fn ctrl_c_drains_every_activity_answered_202_and_exits_0() {
    let (lost, accepted, code, log) = lost_after("INT");
    assert!(accepted > 0, "nothing was accepted");
    assert_eq!(
        lost, 0,
        "SIGINT lost {lost} of {accepted} activities answered 202"
    );
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("Stopped receiving webhooks"), "{log}");
}

#[test]
fn a_missing_secret_is_bad_input_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args(["webhook", "serve", "--port", &free_port().to_string()])
        .env_remove("FLEETWARD_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("FLEETWARD_WEBHOOK_SECRET"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_short_secret_is_refused_on_an_address_other_computers_reach() {
    let dir = tempfile::tempdir().unwrap();
    // Refused before listening; a receiver that listened anyway is stopped at once.
    let mut child = cli(dir.path())
        .args([
            "webhook",
            "serve",
            "--port",
            &free_port().to_string(),
            "--bind",
            "0.0.0.0",
        ])
        .env("FLEETWARD_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("webhook serve listened beyond loopback with a short secret");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least 32"), "{}", stderr(&out));
}

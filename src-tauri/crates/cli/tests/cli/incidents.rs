//! `activities poll`, `webhook ingest`, `webhook serve` and `incidents list` (SPEC §10).

use std::io::{BufRead, BufReader};

use super::*;

/// A connected store with the first organization mapped; answers a device of it.
pub(super) fn mapped(dir: &Path, s: &Sim) -> i64 {
    let out = connect(dir, &s.sim, "sim-secret");
    assert!(out.status.success(), "{}", stderr(&out));
    let org = s.sim.control().organizations()[0].id.unwrap();
    json(&run(
        dir,
        &["--json", "orgs", "map", &org.to_string(), "--create"],
    ));
    s.sim
        .control()
        .devices()
        .into_iter()
        .find(|d| d.organization_id == Some(org))
        .unwrap()
        .id
        .unwrap()
}

pub(super) fn triggered(id: i64, device: i64, series: &str) -> String {
    serde_json::json!({
        "id": id, "deviceId": device, "seriesUid": series, "activityType": "CONDITION",
        "statusCode": "TRIGGERED", "severity": "CRITICAL", "message": "Disk C: is full"
    })
    .to_string()
}

pub(super) fn incidents(dir: &Path, status: &str) -> Vec<Value> {
    json(&run(
        dir,
        &["--json", "incidents", "list", "--status", status],
    ))
    .as_array()
    .unwrap()
    .clone()
}

#[test]
fn invalid_json_to_webhook_ingest_exits_2_and_changes_nothing() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    mapped(dir.path(), &s);
    let file = dir.path().join("bad.json");
    std::fs::write(&file, b"{\"id\": 1, oops").unwrap();
    let out = run(dir.path(), &["webhook", "ingest", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing changed"), "{}", stderr(&out));
    for body in ["[]", "\"text\"", "[1, 2]"] {
        std::fs::write(&file, body).unwrap();
        let out = run(dir.path(), &["webhook", "ingest", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{body}: {}", stderr(&out));
        assert!(stderr(&out).contains("nothing changed"), "{}", stderr(&out));
    }
    assert!(incidents(dir.path(), "all").is_empty());
}

#[test]
fn webhook_serve_refuses_an_address_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    for bind in ["not-an-address", "999.1.1.1"] {
        let out = cli(dir.path())
            .args(["webhook", "serve", "--port", "0", "--bind", bind])
            .env("FLEETWARD_WEBHOOK_SECRET", "serve-secret")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bind}: {}", stderr(&out));
        assert!(stderr(&out).contains(bind), "{}", stderr(&out));
    }
}

#[test]
fn a_poll_then_a_webhook_from_stdin_show_up_in_incidents_list() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let device = mapped(dir.path(), &s);
    let poll = json(&run(dir.path(), &["--json", "activities", "poll"]));
    assert_eq!(poll["connections"][0]["firstPoll"], true);
    assert!(poll["runId"].as_i64().is_some());
    let seeded = incidents(dir.path(), "open").len();

    let mut child = cli(dir.path())
        .args(["--json", "webhook", "ingest"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(triggered(77, device, "cli-series").as_bytes())
        .unwrap();
    let report = json(&child.wait_with_output().unwrap());
    assert_eq!(report["opened"], 1);

    let open = incidents(dir.path(), "open");
    assert_eq!(open.len(), seeded + 1);
    let row = open.iter().find(|r| r["key"] == "cli-series").unwrap();
    let mut fields: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "count",
            "firstSeen",
            "id",
            "key",
            "lastSeen",
            "severity",
            "status",
            "title"
        ]
    );
    assert_eq!(row["severity"], "critical");
    assert_eq!(row["status"], "open");
    assert_eq!(row["title"], "Disk C: is full");
    assert!(row["firstSeen"].as_str().unwrap().ends_with('Z'));
    assert!(incidents(dir.path(), "resolved")
        .iter()
        .all(|r| r["key"] != "cli-series"));
    let runs = json(&run(dir.path(), &["--json", "runs", "list"]));
    assert_eq!(runs[0]["kind"], "poll");
}

#[test]
fn webhook_serve_receives_an_activity_with_the_secret_and_the_incident_appears() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let device = mapped(dir.path(), &s);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = cli(dir.path())
        .args([
            "webhook",
            "serve",
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .env("FLEETWARD_WEBHOOK_SECRET", "serve-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It says where it listens once it does.
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .take(20)
        .map_while(|l| l.ok())
        .find(|l| l.contains("Receiving NinjaOne webhooks at"));
    assert!(ready.is_some(), "the receiver announced itself");
    let url = format!("http://127.0.0.1:{port}/ninjaone/webhook");
    let client = reqwest::blocking::Client::new();
    let refused = client
        .post(&url)
        .body(triggered(501, device, "served"))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 401);
    let accepted = client
        .post(&url)
        .header("X-Fleetward-Secret", "serve-secret")
        .body(triggered(501, device, "served"))
        .send()
        .unwrap();
    assert_eq!(accepted.status(), 202);
    // The receiver answers before the work is done: look a bounded number of times.
    let found = (0..100).any(|_| {
        incidents(dir.path(), "open")
            .iter()
            .any(|r| r["key"] == "served")
    });
    let again = client
        .post(&url)
        .header("Authorization", "Bearer serve-secret")
        .body(triggered(501, device, "served"))
        .send()
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(found, "the incident appeared");
    assert_eq!(
        again.status(),
        200,
        "the same activity again is already seen"
    );
}

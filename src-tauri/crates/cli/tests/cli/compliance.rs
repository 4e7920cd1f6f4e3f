//! `sweep`, `signals`, `tickets list|export` and `evidence export` as a script would run them
//! (SPEC §10): JSON rows with the fields the spec names, exports on stdout or into a file,
//! and exit 7 while another process sweeps the same tenant.

use std::process::Stdio;

use serde_json::Value;

use super::*;

/// A connected data folder with one organization mapped to a promoted company.
fn promoted(s: &Sim) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(connect(&data, &s.sim, "sim-secret").status.success());
    let org = s.sim.control().organizations()[0].id.unwrap().to_string();
    let mapped = json(&run(&data, &["--json", "orgs", "map", &org, "--create"]));
    let company = mapped["companyId"].as_i64().unwrap().to_string();
    json(&run(&data, &["--json", "companies", "promote", &company]));
    (dir, data, company)
}

#[test]
fn a_sweep_and_a_poll_that_cannot_reach_ninjaone_exit_4() {
    let s = sim(SimConfig {
        orgs: 1,
        devices_per_org: 4,
        ..SimConfig::default()
    });
    let (_dir, data, _company) = promoted(&s);
    drop(s);
    let out = run(&data, &["--json", "sweep"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let run_row: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run_row["status"], "failed");
    assert!(
        stderr(&out).contains("1 of 1 compliance tenants could not be swept"),
        "{}",
        stderr(&out)
    );
    let out = run(&data, &["activities", "poll"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 of 1 connections could not be polled"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sweep_signals_tickets_and_evidence_from_the_command_line() {
    let s = sim(SimConfig {
        orgs: 2,
        devices_per_org: 15,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let unpromoted = dir.path().join("data");
    assert!(connect(&unpromoted, &s.sim, "sim-secret").status.success());
    let out = run(&unpromoted, &["sweep"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no tenant yet: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("Promote"), "{}", stderr(&out));

    let (_dir, data, company) = promoted(&s);
    let swept = json(&run(&data, &["--json", "sweep", "--company", &company]));
    assert_eq!(swept["status"], "succeeded");
    assert_eq!(swept["companies"][0]["dryRun"], true);
    assert_eq!(
        swept["companies"][0]["signals"].as_array().unwrap().len(),
        5
    );
    assert!(
        swept["requestsByReport"]["queries/volumes"]
            .as_u64()
            .unwrap()
            >= 1
    );

    let signals = json(&run(&data, &["--json", "signals", "--company", &company]));
    let rows = signals.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for row in rows {
        for key in [
            "companyId",
            "complianceTenantId",
            "signal",
            "status",
            "collectedAt",
            "expiresAt",
            "controls",
            "metadata",
        ] {
            assert!(row.get(key).is_some(), "{key} missing: {row}");
        }
        assert_eq!(row["companyId"].to_string(), company);
        assert!(row["complianceTenantId"]
            .as_str()
            .unwrap()
            .starts_with("ct_"));
        assert!(row["collectedAt"].as_str().unwrap().ends_with('Z'));
    }
    let inventory = rows
        .iter()
        .find(|r| r["signal"] == "device_inventory")
        .unwrap();
    assert_eq!(
        inventory["controls"],
        serde_json::json!(["IC-031", "IC-032"])
    );
    assert!(inventory["metadata"]["devices"].as_u64().unwrap() > 0);

    let text = run(&data, &["signals"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("device_inventory"));

    // Dry run: no tickets; the second sweep files its findings.
    assert_eq!(
        json(&run(&data, &["--json", "tickets", "list"])),
        serde_json::json!([])
    );
    json(&run(&data, &["--json", "sweep"]));
    let statuses: Vec<String> = rows
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect();
    let findings = statuses
        .iter()
        .filter(|s| *s == "fail" || *s == "warn")
        .count();
    let tickets = json(&run(
        &data,
        &["--json", "tickets", "list", "--status", "all"],
    ));
    let tickets = tickets.as_array().unwrap();
    assert_eq!(
        tickets.len(),
        findings,
        "one ticket per fail or warn: {statuses:?}"
    );
    assert!(
        findings > 0,
        "the generated tenant has findings: {statuses:?}"
    );
    for t in tickets {
        let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["companyId", "id", "priority", "signal", "status"]);
        assert_eq!(t["status"], "open");
    }

    let csv = run(&data, &["tickets", "export", "--format", "csv"]);
    assert!(csv.status.success());
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("id,companyId,companyName,signal,priority,status"));
    assert_eq!(csv.lines().count(), findings + 1);

    let file = dir.path().join("evidence.json");
    let out = run(
        &data,
        &[
            "evidence",
            "export",
            "--format",
            "json",
            "--company",
            &company,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "with --out nothing goes to stdout");
    let evidence: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        evidence.as_array().unwrap().len(),
        20,
        "two sweeps × five signals × two controls"
    );
    assert_eq!(evidence[0]["expired"], false);

    let runs = json(&run(&data, &["--json", "runs", "list"]));
    assert_eq!(runs[0]["kind"], "sweep");
    assert_eq!(runs[0]["trigger"], "manual");
    assert!(
        runs[0]["sweep"]["requestsByReport"]["activities"]
            .as_u64()
            .unwrap()
            >= 1
    );

    let bad = run(&data, &["evidence", "export", "--format", "xml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_second_sweep_of_the_same_tenant_exits_7() {
    let s = sim(SimConfig {
        orgs: 1,
        devices_per_org: 6,
        ..SimConfig::default()
    });
    let (_dir, data, company) = promoted(&s);
    s.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis: 700 }],
        include_token_endpoint: false,
    });
    let first = cli(&data)
        .args(["sweep", "--company", &company])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let runs = json(&run(&data, &["--json", "runs", "list"]));
        if runs
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["kind"] == "sweep"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first sweep never started"
        );
    }
    let second = run(&data, &["sweep", "--company", &company]);
    assert_eq!(second.status.code(), Some(7), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("already running"),
        "{}",
        stderr(&second)
    );
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success());
}

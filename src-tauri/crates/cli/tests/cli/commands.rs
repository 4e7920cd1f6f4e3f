//! Every command and its exit codes.

use super::*;

#[test]
fn status_json_reports_version_data_folder_and_cipher() {
    let dir = tempfile::tempdir().unwrap();
    let status = json(&run(dir.path(), &["--json", "status"]));
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["dataDir"], dir.path().display().to_string());
    assert!(status["selfCheck"]["sqlcipherVersion"]
        .as_str()
        .unwrap()
        .starts_with('4'));
    assert_eq!(status["connections"], serde_json::json!([]));
}

#[test]
fn unknown_command_is_a_usage_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn unusable_data_folder_is_a_store_error_with_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let out = run(&file.join("sub"), &["status"]);
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains("--data-dir"), "{}", stderr(&out));
}

#[test]
fn a_wrong_store_key_exits_6_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    json(&run(dir.path(), &["--json", "companies", "add", "Keep Me"]));
    let out = cli(dir.path())
        .env("FLEETWARD_STORE_KEY", "00".repeat(32))
        .args(["companies", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("cannot be opened with this key"),
        "{}",
        stderr(&out)
    );
    let companies = json(&run(dir.path(), &["--json", "companies", "list"]));
    assert_eq!(
        companies[0]["name"], "Keep Me",
        "the right key still finds the data"
    );
}

#[test]
fn a_malformed_store_key_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .env("FLEETWARD_STORE_KEY", "not-hex")
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("64 hexadecimal"));
}

#[test]
fn connect_with_a_wrong_secret_exits_3_and_saves_nothing() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = connect(dir.path(), &s.sim, "definitely-wrong-secret");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("client secret"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("definitely-wrong-secret"));
    assert_eq!(
        json(&run(dir.path(), &["--json", "status"]))["connections"],
        serde_json::json!([])
    );
}

#[test]
fn connect_with_an_unknown_client_id_exits_3_and_mentions_the_region() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args([
            "connect",
            "--base-url",
            &s.sim.base_url(),
            "--client-id",
            "nobody",
        ])
        .env("FLEETWARD_CLIENT_SECRET", "sim-secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("region"), "{}", stderr(&out));
}

#[test]
fn connect_to_an_unreachable_host_exits_4() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args([
            "connect",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "--client-id",
            "x",
        ])
        .env("FLEETWARD_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not be reached"));
}

#[test]
fn plain_http_to_a_non_loopback_host_exits_2_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args([
            "connect",
            "--base-url",
            "http://eu.ninjarmm.com",
            "--client-id",
            "x",
        ])
        .env("FLEETWARD_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("https"), "{}", stderr(&out));
}

#[test]
fn a_missing_secret_is_bad_input() {
    let s = sim(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "connect",
            "--base-url",
            &s.sim.base_url(),
            "--client-id",
            "sim-client",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--client-secret-stdin"));
}

#[test]
fn connect_map_and_promote_end_to_end() {
    let s = sim(SimConfig {
        orgs: 4,
        devices_per_org: 5,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let connected = json(&connect(data, &s.sim, "sim-secret"));
    assert_eq!(connected["test"]["organizations"], 4);
    assert_eq!(connected["discovery"]["newOrganizations"], 4);
    assert!(connected["connection"].get("clientSecret").is_none());

    let orgs = json(&run(data, &["--json", "orgs", "list"]));
    let rows = orgs.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        // SPEC §10's fields, then the mapping's options.
        assert_eq!(
            keys,
            [
                "companyId",
                "customFields",
                "droppedFieldGroups",
                "includeNonAgent",
                "locationIds",
                "name",
                "orgId",
                "state",
                "suggestedCompanyId",
                "syncSoftware"
            ]
        );
        assert_eq!(row["state"], "pending");
    }

    // A company named like the first organization (different case and spacing) is suggested.
    let first = &rows[0];
    let name = format!(
        "  {}  ",
        first["name"].as_str().unwrap().trim().to_uppercase()
    );
    let company = json(&run(data, &["--json", "companies", "add", &name]));
    let orgs = json(&run(data, &["--json", "orgs", "list"]));
    let suggested = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["orgId"] == first["orgId"])
        .unwrap();
    assert_eq!(suggested["suggestedCompanyId"], company["id"]);
    let accepted = json(&run(data, &["--json", "orgs", "accept-suggestions"]));
    assert_eq!(accepted.as_array().unwrap().len(), 1);
    assert_eq!(accepted[0]["state"], "mapped");

    let second = rows[1]["orgId"].to_string();
    let created = json(&run(
        data,
        &[
            "--json",
            "orgs",
            "map",
            &second,
            "--create",
            "--location",
            "1",
            "--non-agent",
        ],
    ));
    assert_eq!(created["state"], "mapped");
    let third = rows[2]["orgId"].to_string();
    assert_eq!(
        json(&run(data, &["--json", "orgs", "map", &third, "--ignore"]))["state"],
        "ignored"
    );
    let fourth = rows[3]["orgId"].to_string();
    let out = run(data, &["orgs", "map", &fourth, "--company", "424242"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown company is bad input"
    );
    let out = run(data, &["orgs", "map", &fourth, "--create", "--ignore"]);
    assert_eq!(out.status.code(), Some(2), "choices are exclusive");

    let companies = json(&run(data, &["--json", "companies", "list"]));
    assert_eq!(companies.as_array().unwrap().len(), 2);
    assert!(companies[0]["complianceTenantId"].is_null());
    let id = created["companyId"].to_string();
    let promoted = json(&run(data, &["--json", "companies", "promote", &id]));
    assert!(promoted["complianceTenantId"]
        .as_str()
        .unwrap()
        .starts_with("ct_"));
    let again = json(&run(data, &["--json", "companies", "promote", &id]));
    assert_eq!(
        again["complianceTenantId"], promoted["complianceTenantId"],
        "promotion is idempotent"
    );

    let tested = json(&run(data, &["--json", "test-connection"]));
    assert_eq!(tested["organizations"], 4);

    let disconnected = json(&run(data, &["--json", "disconnect"]));
    assert_eq!(disconnected["active"], false);
    let out = run(data, &["orgs", "list"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "after a disconnect the answer is the disconnect, as bad input (SPEC §10 exit 2)"
    );
    assert!(
        stderr(&out).contains("was disconnected on"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("connect"), "{}", stderr(&out));
    let reconnected = json(&connect(data, &s.sim, "sim-secret"));
    assert_eq!(
        reconnected["connection"]["id"],
        connected["connection"]["id"]
    );
    let orgs = json(&run(data, &["--json", "orgs", "list"]));
    let still_mapped = orgs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "mapped")
        .count();
    assert_eq!(still_mapped, 2, "mappings survive a disconnect");
}

#[test]
fn the_cli_works_while_another_process_holds_the_store_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    json(&run(&data, &["--json", "status"]));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let writer = runtime.block_on(async {
        let mut config = fleetward_core::EngineConfig::new(data.clone());
        config.store_key = Some(KEY.into());
        fleetward_core::Engine::start(config).await.unwrap()
    });
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writes = {
        let stop = stop.clone();
        let writer = writer.clone();
        runtime.spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                writer.add_company(&format!("Writer {n}")).await.unwrap();
                n += 1;
            }
            n
        })
    };
    for i in 0..8 {
        let added = json(&run(
            &data,
            &["--json", "companies", "add", &format!("CLI {i}")],
        ));
        assert_eq!(added["name"], format!("CLI {i}"));
        json(&run(&data, &["--json", "companies", "list"]));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = runtime.block_on(writes).unwrap();
    assert!(written > 0, "the other process really wrote meanwhile");
    let all = json(&run(&data, &["--json", "companies", "list"]));
    assert_eq!(
        all.as_array().unwrap().len(),
        written + 8,
        "nothing was lost on either side"
    );
}

#[test]
fn headless_demo_connects_to_the_built_in_simulator_and_maps() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("headless demo"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Encryption:    SQLCipher 4"), "{stdout}");
    assert!(stdout.contains("Demo tenant"), "{stdout}");
    assert!(stdout.contains("organizations"), "{stdout}");
}

#[test]
fn sync_preview_assets_runs_and_audit_from_the_command_line() {
    let s = sim(SimConfig {
        orgs: 2,
        devices_per_org: 12,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(connect(&data, &s.sim, "sim-secret").status.success());
    let out = run(&data, &["sync"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing mapped yet: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("Map organizations"),
        "{}",
        stderr(&out)
    );

    let org = s.sim.control().organizations()[0].id.unwrap().to_string();
    let mapped = json(&run(&data, &["--json", "orgs", "map", &org, "--create"]));
    let company = mapped["companyId"].as_i64().unwrap().to_string();

    let preview = json(&run(
        &data,
        &["--json", "sync", "--company", &company, "--preview"],
    ));
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["runId"], Value::Null);
    let would = preview["companies"][0]["created"].as_u64().unwrap();
    assert!(would > 0);
    assert_eq!(
        json(&run(&data, &["--json", "assets", "list"]))
            .as_array()
            .unwrap()
            .len(),
        0,
        "a preview writes nothing"
    );

    let synced = json(&run(&data, &["--json", "sync", "--company", &company]));
    assert_eq!(synced["status"], "succeeded");
    assert_eq!(synced["truncatedAny"], false);
    assert!(synced["requests"].as_u64().unwrap() >= 2);
    let part = &synced["companies"][0];
    for key in [
        "companyId",
        "orgId",
        "created",
        "updated",
        "unchanged",
        "stale",
        "retiredDuplicates",
        "skippedPending",
        "skippedRejected",
        "truncated",
    ] {
        assert!(part.get(key).is_some(), "sync rows carry {key}");
    }
    assert_eq!(
        part["created"].as_u64().unwrap(),
        would,
        "the preview said what the sync did"
    );

    let assets = json(&run(
        &data,
        &["--json", "assets", "list", "--company", &company],
    ));
    let assets = assets.as_array().unwrap();
    assert_eq!(assets.len() as u64, would);
    for key in [
        "id",
        "companyId",
        "source",
        "externalId",
        "uid",
        "name",
        "serialNumber",
        "nodeClass",
        "status",
        "retiredReason",
    ] {
        assert!(assets[0].get(key).is_some(), "asset rows carry {key}");
    }
    assert_eq!(assets[0]["source"], "ninjaone");
    let id = assets[0]["id"].as_i64().unwrap().to_string();
    let shown = json(&run(&data, &["--json", "assets", "show", &id]));
    assert_eq!(shown["asset"]["id"].as_i64().unwrap().to_string(), id);
    assert!(shown["fields"]["identity.systemName"].is_string());
    let human = run(&data, &["assets", "show", &id]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("identity.systemName"));
    let missing = run(&data, &["assets", "show", "999999"]);
    assert_eq!(missing.status.code(), Some(2));

    let runs = json(&run(&data, &["--json", "runs", "list"]));
    let newest = &runs[0];
    for key in [
        "id",
        "kind",
        "trigger",
        "scope",
        "status",
        "startedAt",
        "endedAt",
        "requests",
    ] {
        assert!(newest.get(key).is_some(), "run rows carry {key}");
    }
    assert_eq!(newest["kind"], "sync");
    assert_eq!(newest["trigger"], "manual");
    assert_eq!(newest["scope"], format!("company:{company}"));
    assert_eq!(newest["counts"]["created"].as_u64().unwrap(), would);

    let audit = json(&run(
        &data,
        &["--json", "audit", "list", "--company", &company],
    ));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "COMPANY_CREATED"));
    let out = run(&data, &["assets", "list", "--status", "bogus"]);
    assert_eq!(out.status.code(), Some(2));

    // Imports of other sources: good rows kept, bad rows named by line, exit 2.
    let file = dir.path().join("level.csv");
    std::fs::write(
        &file,
        format!(
            "externalId,company,name,serialNumber\n\
             L-1,{company},LEVEL-ONE,SN-LEVEL-0001\n\
             L-2,Nobody Inc,LEVEL-TWO,SN-LEVEL-0002\n"
        ),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(
        &data,
        &["--json", "assets", "import", "--source", "level", path],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 1);
    assert_eq!(report["errors"][0]["line"], 3);
    assert!(
        stderr(&out).contains("the good ones were kept"),
        "{}",
        stderr(&out)
    );
    let level = json(&run(
        &data,
        &["--json", "assets", "list", "--company", &company],
    ));
    assert!(level
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["source"] == "level" && a["externalId"] == "L-1"));
    let out = run(
        &data,
        &[
            "assets",
            "import",
            "--source",
            "level",
            "/nonexistent/x.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be read"), "{}", stderr(&out));
    let out = run(&data, &["assets", "import", "--source", "ninjaone", path]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "NinjaOne assets come from sync only"
    );

    // When NinjaOne cannot be reached for any mapping, the exit code says so (4).
    drop(s);
    let out = run(&data, &["--json", "sync", "--company", &company]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let failed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["companies"][0]["error"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{failed}"
    );
    assert!(
        stderr(&out).contains("1 of 1 organizations could not be synced"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn orgs_map_chooses_field_groups_custom_fields_and_software() {
    let s = sim(SimConfig {
        orgs: 2,
        devices_per_org: 8,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    json(&connect(data, &s.sim, "sim-secret"));
    let orgs = json(&run(data, &["--json", "orgs", "list"]));
    let org = orgs[0]["orgId"].to_string();
    assert_eq!(orgs[0]["droppedFieldGroups"], serde_json::json!([]));
    assert_eq!(orgs[0]["syncSoftware"], false);

    let mapped = json(&run(
        data,
        &[
            "--json",
            "orgs",
            "map",
            &org,
            "--create",
            "--software",
            "--drop-fields",
            "memory, Health",
            "--custom-field",
            "patchRing",
            "--custom-field",
            "assetTag",
        ],
    ));
    assert_eq!(mapped["state"], "mapped");
    assert_eq!(mapped["syncSoftware"], true);
    assert_eq!(
        mapped["droppedFieldGroups"],
        serde_json::json!(["memory", "health"])
    );
    assert_eq!(
        mapped["customFields"],
        serde_json::json!(["assetTag", "patchRing"])
    );
    let company = mapped["companyId"].to_string();

    for (args, says) in [
        (vec!["--drop-fields", "identity"], "always kept"),
        (
            vec!["--drop-fields", "memory,gpu"],
            "no field group \"gpu\"",
        ),
        (vec!["--software", "--no-software"], "cannot be used with"),
        (vec!["--custom-field", " "], "custom field name is empty"),
    ] {
        let mut all = vec!["orgs", "map", org.as_str(), "--company", company.as_str()];
        all.extend(args.iter().copied());
        let out = run(data, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }

    let changed = json(&run(
        data,
        &[
            "--json",
            "orgs",
            "map",
            &org,
            "--company",
            &company,
            "--keep-fields",
            "health",
            "--no-software",
        ],
    ));
    assert_eq!(changed["droppedFieldGroups"], serde_json::json!(["memory"]));
    assert_eq!(changed["syncSoftware"], false);
    assert_eq!(
        changed["customFields"],
        serde_json::json!(["assetTag", "patchRing"]),
        "what is not named stays"
    );
    let text = String::from_utf8_lossy(&run(data, &["orgs", "list"]).stdout).into_owned();
    assert!(
        text.contains("custom fields: assetTag, patchRing; leaves out: memory"),
        "{text}"
    );

    json(&run(data, &["--json", "sync", "--company", &company]));
    let assets = json(&run(
        data,
        &["--json", "assets", "list", "--company", &company],
    ));
    let id = assets[0]["id"].to_string();
    let shown = json(&run(data, &["--json", "assets", "show", &id]));
    let fields = shown["fields"].as_object().unwrap();
    assert!(
        fields.keys().any(|k| k.starts_with("health.")),
        "{fields:?}"
    );
    assert!(
        !fields.keys().any(|k| k.starts_with("memory.")),
        "{fields:?}"
    );
    assert!(
        !fields.keys().any(|k| k.starts_with("software.")),
        "{fields:?}"
    );

    let cleared = json(&run(
        data,
        &[
            "--json",
            "orgs",
            "map",
            &org,
            "--company",
            &company,
            "--no-custom-fields",
        ],
    ));
    assert_eq!(cleared["customFields"], serde_json::json!([]));
}

/// Technicians' folders have spaces and accents (`C:\Users\Zoë Müller\Documents\…`): the data
/// folder, an export's `--out` and an import file are all used as named (SPEC §13).
#[test]
fn folders_and_files_named_with_spaces_and_accents_work_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("Données de l'équipe — Zoë");
    let data = base.join("Fleetward data");
    let added = json(&run(&data, &["--json", "companies", "add", "Café Ltd"]));
    let company = added["id"].to_string();

    let import = base.join("appareils importés (Excel).csv");
    std::fs::write(
        &import,
        "\u{feff}externalId,company,name,serialNumber\r\nL-1,Café Ltd,PORTABLE-1,SN-1\r\n",
    )
    .unwrap();
    let report = json(&run(
        &data,
        &[
            "--json",
            "assets",
            "import",
            "--source",
            "level",
            import.to_str().unwrap(),
        ],
    ));
    assert_eq!(report["imported"], 1, "{report}");
    let assets = json(&run(
        &data,
        &["--json", "assets", "list", "--company", &company],
    ));
    assert_eq!(assets[0]["name"], "PORTABLE-1");

    let export = base.join("tickets ünïcode.csv");
    let out = run(
        &data,
        &[
            "tickets",
            "export",
            "--format",
            "csv",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&export)
        .unwrap()
        .starts_with("id,companyId,companyName"));
}

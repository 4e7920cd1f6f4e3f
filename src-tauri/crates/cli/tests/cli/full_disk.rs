//! A disk that fills up under the CLI (SPEC §11: nothing is lost): a real, small tmpfs in a
//! mount namespace of the test's own (`unshare -rm`, no root needed where user namespaces
//! are on, as on Debian), so the CLI meets a genuine ENOSPC / SQLITE_FULL, never a mock.
//! The mount exists only inside the namespace, so each test runs its whole scenario there as
//! one shell script and reports what it saw through files outside it.

use std::collections::HashMap;

use super::*;

/// Runs `script` with `sh` in a mount namespace of its own, with `$DISK` (an empty folder,
/// for the script to mount a tmpfs on), `$OUT` (a folder outside it), `$CLI` and the store
/// key in its environment; returns what the script wrote as `NAME=value` lines on stdout.
fn on_a_small_disk(
    work: &Path,
    script: &str,
    env: &[(&str, &str)],
) -> (Output, HashMap<String, String>) {
    let disk = work.join("disk");
    let out = work.join("out");
    std::fs::create_dir_all(&disk).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let output = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("DISK", &disk)
        .env("OUT", &out)
        .env("CLI", env!("CARGO_BIN_EXE_fleetward-cli"))
        .env("FLEETWARD_STORE_KEY", KEY)
        .env_remove("FLEETWARD_DATA_DIR")
        .envs(env.iter().copied())
        .output()
        .expect("`unshare` (util-linux) runs the full-disk scenarios");
    let seen = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<HashMap<_, _>>();
    assert!(
        !seen.contains_key("NO_MOUNT"),
        "a tmpfs could not be mounted in a user namespace (needs unprivileged user namespaces \
         or root): {}",
        stderr(&output)
    );
    (output, seen)
}

#[test]
fn an_export_onto_a_full_disk_keeps_the_previous_file_whole() {
    let s = sim(SimConfig::default());
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    assert!(connect(&data, &s.sim, "sim-secret").status.success());
    for org in &s.sim.control().organizations()[..3] {
        let org = org.id.unwrap().to_string();
        let mapped = json(&run(&data, &["--json", "orgs", "map", &org, "--create"]));
        let company = mapped["companyId"].to_string();
        json(&run(&data, &["--json", "companies", "promote", &company]));
    }
    json(&run(&data, &["--json", "sweep"]));
    let export = run(&data, &["evidence", "export", "--format", "json"]);
    assert!(
        export.stdout.len() > 8192,
        "the export must be larger than the space the old file frees ({} bytes)",
        export.stdout.len()
    );

    let (output, seen) = on_a_small_disk(
        work.path(),
        r#"
        mount -t tmpfs -o size=64k tmpfs "$DISK" || { echo NO_MOUNT=1; exit 1; }
        printf 'previous good export' > "$DISK/evidence.json"
        dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null
        "$CLI" --data-dir "$DATA" evidence export --format json --out "$DISK/evidence.json"
        echo "EXIT=$?"
        echo "KEPT=$(cat "$DISK/evidence.json")"
        echo "FILES=$(ls -A "$DISK" | tr '\n' ' ')"
        "#,
        &[("DATA", data.to_str().unwrap())],
    );
    let err = stderr(&output);
    assert_eq!(seen["EXIT"], "1", "a full disk is not bad input: {err}");
    assert!(err.contains("disk is full"), "{err}");
    assert!(err.contains("previous file was left as it was"), "{err}");
    assert_eq!(seen["KEPT"], "previous good export", "{err}");
    assert_eq!(
        seen["FILES"].trim(),
        "evidence.json filler",
        "no half-written file stays beside it"
    );
}

#[test]
fn a_sync_that_fills_the_disk_says_so_records_its_failure_and_the_next_converges() {
    // Six small companies: each one's write fits SQLite's page cache, so the disk fills at
    // COMMIT, which leaves sqlx's connection believing it is still in a transaction.
    let s = sim(SimConfig {
        orgs: 6,
        devices_per_org: 60,
        ..SimConfig::default()
    });
    let work = tempfile::tempdir().unwrap();
    let orgs: Vec<String> = s
        .sim
        .control()
        .organizations()
        .iter()
        .map(|o| o.id.unwrap().to_string())
        .collect();
    let (output, seen) = on_a_small_disk(
        work.path(),
        r#"
        mount -t tmpfs -o size=64m tmpfs "$DISK" || { echo NO_MOUNT=1; exit 1; }
        DATA="$DISK/data"
        printf 'sim-secret' | "$CLI" --data-dir "$DATA" --json connect --base-url "$BASE" \
            --client-id sim-client --client-secret-stdin > /dev/null || { echo CONNECT=failed; exit 1; }
        for ORG in $ORGS; do
            "$CLI" --data-dir "$DATA" --json orgs map "$ORG" --create > /dev/null || exit 1
        done
        # Fill the disk, then give back a little: the sync can start, not write its companies.
        dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null
        truncate -s -100K "$DISK/filler"
        "$CLI" --data-dir "$DATA" sync > "$OUT/sync.out" 2> "$OUT/sync.err"
        echo "SYNC=$?"
        "$CLI" --data-dir "$DATA" --json runs list > "$OUT/runs.json" 2> "$OUT/runs.err"
        echo "RUNS=$?"
        rm "$DISK/filler"
        "$CLI" --data-dir "$DATA" --json sync > "$OUT/resync.json" 2> "$OUT/resync.err"
        echo "RESYNC=$?"
        "$CLI" --data-dir "$DATA" --json sync > "$OUT/again.json" 2> "$OUT/again.err"
        echo "AGAIN=$?"
        "#,
        &[("BASE", &s.sim.base_url()), ("ORGS", &orgs.join(" "))],
    );
    let out = work.path().join("out");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let said = format!("{}{}", read("sync.out"), read("sync.err"));
    assert!(
        seen.contains_key("SYNC"),
        "the scenario stopped early: {seen:?} {}",
        stderr(&output)
    );
    assert_eq!(seen["SYNC"], "6", "a full disk is a store failure: {said}");
    assert!(
        !said.contains("transaction depth"),
        "a connection whose transaction failed was used again: {said}"
    );
    assert!(said.contains("disk is full"), "{said}");

    assert_eq!(seen["RUNS"], "0", "{}", read("runs.err"));
    let runs: Value = serde_json::from_str(&read("runs.json")).unwrap();
    let failed = &runs.as_array().unwrap()[0];
    assert_eq!(failed["kind"], "sync");
    assert_eq!(failed["status"], "failed", "{failed}");
    let reasons = failed["errors"].to_string();
    assert!(reasons.contains("disk is full"), "{reasons}");
    assert!(!reasons.contains("Interrupted"), "{reasons}");

    assert_eq!(seen["RESYNC"], "0", "{}", read("resync.err"));
    let resync: Value = serde_json::from_str(&read("resync.json")).unwrap();
    assert_eq!(resync["status"], "succeeded", "{resync}");
    assert_eq!(seen["AGAIN"], "0", "{}", read("again.err"));
    let again: Value = serde_json::from_str(&read("again.json")).unwrap();
    for company in again["companies"].as_array().unwrap() {
        assert_eq!(company["created"], 0, "the sync after converged: {again}");
        assert_eq!(company["updated"], 0, "the sync after converged: {again}");
        assert!(company["unchanged"].as_u64().unwrap() > 0, "{again}");
    }
}

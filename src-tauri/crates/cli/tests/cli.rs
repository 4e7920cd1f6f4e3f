//! The CLI binary as a script would run it: real process, real data folder, exit codes.

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fleetward-cli"))
}

#[test]
fn status_json_reports_version_data_folder_and_cipher() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli()
        .args(["--json", "status", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["dataDir"], dir.path().display().to_string());
    assert!(status["selfCheck"]["sqlcipherVersion"].is_string());
    assert_eq!(status["schedulesPaused"], false);
}

#[test]
fn data_dir_comes_from_the_environment_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-env");
    let out = cli()
        .env("FLEETWARD_DATA_DIR", &target)
        .args(["--json", "status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        target.is_dir(),
        "the engine must create the folder it was given"
    );
}

#[test]
fn unknown_command_is_a_usage_error_with_exit_2() {
    let out = cli().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

#[test]
fn unusable_data_folder_is_a_store_error_with_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let out = cli()
        .args(["status", "--data-dir"])
        .arg(file.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--data-dir"), "{stderr}");
}

#[test]
fn headless_demo_says_why_it_runs_and_prints_the_self_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli()
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("headless demo"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Encryption:    SQLCipher 4"), "{stdout}");
}

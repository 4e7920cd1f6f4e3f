//! `cargo xtask bench [NAME]`: runs the named benchmark (or all) and prints its figures.
//! Benchmarks are registered here as the capabilities that own them land; performance targets
//! live in these figures, never in timed unit tests.

use std::path::Path;

/// (name, what it measures). Filled by later capabilities (e.g. `client`: stream all devices
/// of a 100,000-device simulated tenant).
const BENCHMARKS: &[(&str, &str)] = &[];

pub fn run(_root: &Path, args: &[String]) -> Result<(), String> {
    let wanted = args.first().map(String::as_str);
    let selected: Vec<_> = BENCHMARKS
        .iter()
        .filter(|(name, _)| wanted.is_none_or(|w| w == *name))
        .collect();
    if selected.is_empty() {
        let known: Vec<_> = BENCHMARKS.iter().map(|(n, _)| *n).collect();
        return Err(match wanted {
            Some(name) => format!("no benchmark named '{name}' (known: {known:?})"),
            None => "no benchmarks are registered yet".to_string(),
        });
    }
    Ok(())
}

//! Progress of long commands (sync, sweep) on stderr (SPEC §10): a bar when stderr is a terminal, nothing
//! otherwise, so that scripts and logs stay quiet.

use std::io::IsTerminal;

use fleetward_core::{Engine, EngineEvent};
use indicatif::{ProgressBar, ProgressStyle};

pub struct SyncProgress {
    task: Option<(tokio::task::JoinHandle<()>, ProgressBar)>,
}

impl SyncProgress {
    pub fn start(engine: &Engine) -> SyncProgress {
        if !std::io::stderr().is_terminal() {
            return SyncProgress { task: None };
        }
        let mut events = engine.subscribe();
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let shown = bar.clone();
        let task = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                if let EngineEvent::SyncProgress {
                    company,
                    pages,
                    devices,
                    organizations_done,
                    organizations_total,
                    ..
                } = event
                {
                    bar.set_length(organizations_total.into());
                    bar.set_position(organizations_done.into());
                    let last = company
                        .map(|c| format!(", company {c} written"))
                        .unwrap_or_default();
                    bar.set_message(format!(
                        "organizations, {devices} devices in {pages} pages read{last}"
                    ));
                } else if let EngineEvent::SweepProgress {
                    companies_done,
                    companies_total,
                    pages,
                    ..
                } = event
                {
                    bar.set_length(companies_total.into());
                    bar.set_position(companies_done.into());
                    bar.set_message(format!("compliance tenants swept, {pages} pages read"));
                }
            }
        });
        SyncProgress {
            task: Some((task, shown)),
        }
    }

    /// Stops following the run and clears the bar, so the result prints on a clean line.
    pub fn finish(self) {
        if let Some((task, bar)) = self.task {
            task.abort();
            bar.finish_and_clear();
        }
    }
}

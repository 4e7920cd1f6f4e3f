//! Which engine events deserve an OS notification, and how many (SPEC §8). A storm of
//! failures must reach the technician as one summary, not fifty toasts, so notifications pass
//! through a gate that allows a small burst per window and folds the rest into a summary.
//! The shell only displays what the gate lets through.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{EngineEvent, NoticeSeverity};

/// At most this many notifications are shown per window; the rest become one summary.
pub const BURST: usize = 3;
/// Length of the rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
}

/// Decides what to show. Time is passed in so that tests set it (STYLE: time and
/// determinism).
#[derive(Debug, Default)]
pub struct NotificationGate {
    window_start: Option<DateTime<Utc>>,
    shown_in_window: usize,
    held_back: usize,
}

impl NotificationGate {
    /// The notification for `event`, if any, subject to the burst limit.
    pub fn offer(&mut self, event: &EngineEvent, now: DateTime<Utc>) -> Option<Notification> {
        let candidate = Self::notification_for(event)?;
        self.roll_window(now);
        if self.shown_in_window < BURST {
            self.shown_in_window += 1;
            Some(candidate)
        } else {
            self.held_back += 1;
            None
        }
    }

    /// Called periodically (and on every offer): when a window closes with notifications held
    /// back, returns the one summary that stands for them.
    pub fn flush(&mut self, now: DateTime<Utc>) -> Option<Notification> {
        let start = self.window_start?;
        let window = chrono::Duration::from_std(WINDOW).expect("60 s fits in chrono");
        if now - start < window || self.held_back == 0 {
            return None;
        }
        let held = std::mem::take(&mut self.held_back);
        self.window_start = None;
        self.shown_in_window = 0;
        Some(Notification {
            title: "Fleetward".into(),
            body: format!("{held} more alerts arrived. Open Fleetward to review them."),
        })
    }

    fn roll_window(&mut self, now: DateTime<Utc>) {
        let window = chrono::Duration::from_std(WINDOW).expect("60 s fits in chrono");
        match self.window_start {
            Some(start) if now - start < window => {}
            _ => {
                self.window_start = Some(now);
                self.shown_in_window = 0;
            }
        }
    }

    fn notification_for(event: &EngineEvent) -> Option<Notification> {
        match event {
            EngineEvent::Notice {
                severity: NoticeSeverity::Warning | NoticeSeverity::Error,
                title,
                message,
            } => Some(Notification {
                title: title.clone(),
                body: message.clone(),
            }),
            EngineEvent::SignalFailed {
                company_name,
                signal,
                summary,
                ..
            } => Some(Notification {
                title: format!("{company_name}: {} failed", signal.title()),
                body: format!("{summary}. Open the Compliance dashboard to see why."),
            }),
            EngineEvent::IncidentRaised { incident } => Some(Notification {
                title: format!(
                    "{} incident{}",
                    capitalised(incident.severity.as_str()),
                    if incident.reopened { " reopened" } else { "" }
                ),
                body: [
                    Some(incident.title.clone()),
                    incident.device_name.clone(),
                    incident.company_name.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            }),
            EngineEvent::Notice { .. }
            | EngineEvent::SchedulesChanged { .. }
            | EngineEvent::Waiting { .. }
            | EngineEvent::SyncProgress { .. }
            | EngineEvent::SyncFinished { .. }
            | EngineEvent::SweepProgress { .. }
            | EngineEvent::SweepFinished { .. }
            | EngineEvent::PollFinished { .. }
            | EngineEvent::IncidentsChanged { .. } => None,
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(n: usize) -> EngineEvent {
        EngineEvent::Notice {
            severity: NoticeSeverity::Error,
            title: format!("Sync failed {n}"),
            message: "Check the connection.".into(),
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_storm_shows_a_burst_then_one_summary() {
        let mut gate = NotificationGate::default();
        let shown: Vec<_> = (0..50)
            .filter_map(|n| gate.offer(&failure(n), at(n as i64 / 10)))
            .collect();
        assert_eq!(shown.len(), BURST);
        assert_eq!(shown[0].title, "Sync failed 0");
        assert_eq!(gate.flush(at(30)), None, "the window is still open");
        let summary = gate.flush(at(61)).expect("held-back alerts are summarised");
        assert!(
            summary.body.starts_with("47 more alerts"),
            "{}",
            summary.body
        );
        assert_eq!(gate.flush(at(200)), None, "a summary is given once");
    }

    #[test]
    fn a_new_window_allows_a_new_burst() {
        let mut gate = NotificationGate::default();
        for n in 0..BURST {
            assert!(gate.offer(&failure(n), at(0)).is_some());
        }
        assert!(gate.offer(&failure(9), at(1)).is_none());
        assert!(gate.offer(&failure(10), at(120)).is_some());
    }

    #[test]
    fn a_signal_that_turned_fail_notifies_with_its_numbers() {
        let mut gate = NotificationGate::default();
        let event = EngineEvent::SignalFailed {
            company_id: crate::ids::CompanyId(3),
            company_name: "Acme".into(),
            compliance_tenant_id: crate::ids::ComplianceTenantId::generate(),
            signal: crate::compliance::SignalKind::PatchSla,
            summary: "7 outstanding critical or important patches".into(),
        };
        let shown = gate
            .offer(&event, at(0))
            .expect("a failing signal notifies");
        assert_eq!(shown.title, "Acme: Patch SLA failed");
        assert!(shown.body.starts_with("7 outstanding"), "{}", shown.body);
    }

    #[test]
    fn informational_events_never_notify() {
        let mut gate = NotificationGate::default();
        let info = EngineEvent::Notice {
            severity: NoticeSeverity::Info,
            title: "t".into(),
            message: "m".into(),
        };
        assert_eq!(gate.offer(&info, at(0)), None);
        assert_eq!(
            gate.offer(&EngineEvent::SchedulesChanged { paused: true }, at(0)),
            None
        );
    }
}

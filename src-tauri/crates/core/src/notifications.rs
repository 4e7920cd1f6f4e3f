//! Which engine events deserve an OS notification, and how many (SPEC §8). A storm of
//! failures must reach the technician as one summary, not fifty toasts, so notifications pass
//! through a gate that allows a small burst per window and folds the rest into a summary.
//! New and reopened incidents (already filtered by the chosen severity in the engine) are
//! held for [`INCIDENT_HOLD`] instead: one alone is shown as itself, several as one summary,
//! since an alert storm is one problem to the technician, not a burst of three plus a
//! summary. The shell only displays what the gate lets through.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::incidents::{IncidentNotice, IncidentSeverity};
use crate::{EngineEvent, NoticeSeverity};

/// At most this many notifications are shown per window; the rest become one summary.
pub const BURST: usize = 3;
/// Length of the rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// How long a new incident waits for others before it is shown: the incidents raised within
/// this of the first one become one summary. Long enough for a storm arriving as separate
/// webhook deliveries, short enough that an isolated critical alert is not late.
pub const INCIDENT_HOLD: Duration = Duration::from_secs(10);

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
    incidents: IncidentCoalescer,
}

/// New and reopened incidents waiting to be shown, alone or as one summary.
#[derive(Debug, Default)]
pub struct IncidentCoalescer {
    since: Option<DateTime<Utc>>,
    held: Vec<IncidentNotice>,
}

impl IncidentCoalescer {
    pub fn hold(&mut self, incident: &IncidentNotice, now: DateTime<Utc>) {
        self.since.get_or_insert(now);
        self.held.push(incident.clone());
    }

    /// Once [`INCIDENT_HOLD`] has passed since the first held incident: that incident's own
    /// notification when it is alone, else one summary of them all.
    pub fn flush(&mut self, now: DateTime<Utc>) -> Option<Notification> {
        let since = self.since?;
        let hold = chrono::Duration::from_std(INCIDENT_HOLD).expect("10 s fits in chrono");
        if now - since < hold {
            return None;
        }
        self.since = None;
        let held = std::mem::take(&mut self.held);
        match held.as_slice() {
            [] => None,
            [one] => Some(incident_notification(one)),
            many => Some(storm_summary(many)),
        }
    }
}

fn incident_notification(incident: &IncidentNotice) -> Notification {
    Notification {
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
    }
}

/// "12 new incidents" with how many of each severity, most severe first, and the companies.
fn storm_summary(many: &[IncidentNotice]) -> Notification {
    let mut by_severity: Vec<String> = IncidentSeverity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            let n = many.iter().filter(|i| i.severity == *s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    let mut companies: Vec<&str> = many
        .iter()
        .filter_map(|i| i.company_name.as_deref())
        .collect();
    companies.sort_unstable();
    companies.dedup();
    let place = match companies.as_slice() {
        [] => String::new(),
        [one] => format!(" at {one}"),
        several => format!(" at {} companies", several.len()),
    };
    by_severity.push("open Incidents to review them".into());
    Notification {
        title: format!("{} new incidents{place}", many.len()),
        body: by_severity.join(" · "),
    }
}

impl NotificationGate {
    /// The notification for `event`, if any, subject to the burst limit.
    pub fn offer(&mut self, event: &EngineEvent, now: DateTime<Utc>) -> Option<Notification> {
        if let EngineEvent::IncidentRaised { incident } = event {
            self.incidents.hold(incident, now);
            return None;
        }
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
    /// back, the one summary that stands for them; when held incidents are due, their
    /// notification or summary.
    pub fn flush(&mut self, now: DateTime<Utc>) -> Vec<Notification> {
        [self.flush_burst(now), self.incidents.flush(now)]
            .into_iter()
            .flatten()
            .collect()
    }

    fn flush_burst(&mut self, now: DateTime<Utc>) -> Option<Notification> {
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
            EngineEvent::Notice { .. }
            | EngineEvent::SchedulesChanged { .. }
            | EngineEvent::Waiting { .. }
            | EngineEvent::SyncProgress { .. }
            | EngineEvent::SyncFinished { .. }
            | EngineEvent::SweepProgress { .. }
            | EngineEvent::SweepFinished { .. }
            | EngineEvent::PollFinished { .. }
            | EngineEvent::IncidentRaised { .. }
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
        assert_eq!(gate.flush(at(30)), vec![], "the window is still open");
        let summary = gate
            .flush(at(61))
            .pop()
            .expect("held-back alerts are summarised");
        assert!(
            summary.body.starts_with("47 more alerts"),
            "{}",
            summary.body
        );
        assert_eq!(gate.flush(at(200)), vec![], "a summary is given once");
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

    fn raised(n: i64, severity: IncidentSeverity, company: &str) -> EngineEvent {
        EngineEvent::IncidentRaised {
            incident: IncidentNotice {
                id: crate::incidents::IncidentId(n),
                title: format!("Disk C: almost full ({n})"),
                severity,
                reopened: false,
                company_name: Some(company.into()),
                device_name: Some(format!("PC-{n}")),
            },
        }
    }

    #[test]
    fn a_storm_of_incidents_is_one_summary() {
        let mut gate = NotificationGate::default();
        for n in 0..20 {
            let severity = if n % 4 == 0 {
                IncidentSeverity::Critical
            } else {
                IncidentSeverity::High
            };
            assert_eq!(gate.offer(&raised(n, severity, "Acme"), at(n / 4)), None);
        }
        assert_eq!(gate.flush(at(9)), vec![], "still gathering the storm");
        let shown = gate.flush(at(10));
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0].title, "20 new incidents at Acme");
        assert!(
            shown[0].body.starts_with("5 critical · 15 high"),
            "{}",
            shown[0].body
        );
        assert_eq!(gate.flush(at(60)), vec![], "a storm is summarised once");
    }

    #[test]
    fn isolated_incidents_are_shown_one_each_after_the_hold() {
        let mut gate = NotificationGate::default();
        gate.offer(&raised(1, IncidentSeverity::High, "Acme"), at(0));
        assert_eq!(gate.flush(at(5)), vec![]);
        let first = gate.flush(at(10));
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].title, "High incident");
        assert_eq!(first[0].body, "Disk C: almost full (1) · PC-1 · Acme");
        gate.offer(&raised(2, IncidentSeverity::Critical, "Globex"), at(300));
        let second = gate.flush(at(310));
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].title, "Critical incident");
        assert_eq!(gate.flush(at(400)), vec![]);
    }

    #[test]
    fn a_storm_over_several_companies_names_how_many() {
        let mut c = IncidentCoalescer::default();
        for (n, company) in ["Acme", "Globex", "Acme"].iter().enumerate() {
            if let EngineEvent::IncidentRaised { incident } =
                raised(n as i64, IncidentSeverity::Medium, company)
            {
                c.hold(&incident, at(0));
            }
        }
        let summary = c.flush(at(10)).unwrap();
        assert_eq!(summary.title, "3 new incidents at 2 companies");
        assert!(summary.body.starts_with("3 medium"), "{}", summary.body);
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

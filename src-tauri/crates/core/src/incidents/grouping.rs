//! Grouping of NinjaOne activities into incidents (SPEC §7), as pure functions.
//!
//! An incident is keyed by the activity's `seriesUid` (fallback: `sourceConfigUid` + device).
//! Its state is two max-registers: the newest TRIGGERED and the newest resolving activity
//! (RESET of the series, COMPLETED of an action set, or a resolution by hand or by
//! reconciliation). The incident is open while its newest trigger is newer than its newest
//! resolution. Counts add up and first/last seen are minima/maxima, so applying the same
//! activities in any order, any number of times once deduplicated by id, ends in the same
//! state: a webhook and a poll that deliver the same stream converge.

use chrono::{DateTime, Utc};

use super::{IncidentSeverity, IncidentStatus, Resolution, RuleAction};
use crate::ids::{AssetId, CompanyId, NinjaOrgId};

/// What an activity means for its incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Opens the incident, or counts a repeat while it is open.
    Trigger,
    /// An alert NinjaOne lists as triggered, whose TRIGGERED activity (at or below the
    /// observation's id, the watermark) was not seen: a trigger the real one later replaces.
    Seed,
    /// Resolves the incident of the same key.
    Resolve(Resolution),
    /// Says nothing about an incident (a backup finished, a device was created…).
    Other,
}

/// Reset codes NinjaOne sends besides `RESET` (ninjaone-api.md §6.3).
const RESET_CODES: &[&str] = &[
    "RESET",
    "RESET_BY_PSA_TICKET_CALLBACK",
    "CUSTOM_HEALTH_STATUS_RESET",
];

/// Activity types of action sets, whose `COMPLETED` closes what they were started for.
const ACTION_SET_TYPES: &[&str] = &["ACTIONSET", "CONDITION_ACTIONSET"];

/// The role of an activity, from its `activityType` and `statusCode` (never from the
/// localised `status` text). Unknown types and codes are kept as text and are `Other`.
pub fn role(activity_type: &str, status_code: &str) -> Role {
    if status_code == "TRIGGERED" {
        Role::Trigger
    } else if RESET_CODES.contains(&status_code) {
        Role::Resolve(Resolution::Reset)
    } else if status_code == "COMPLETED" && ACTION_SET_TYPES.contains(&activity_type) {
        Role::Resolve(Resolution::Completed)
    } else {
        Role::Other
    }
}

/// The incident key: the series uid, or the source configuration and the device.
pub fn key(
    series_uid: Option<&str>,
    source_config_uid: Option<&str>,
    device_id: Option<i64>,
) -> Option<String> {
    fn present(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    if let Some(series) = present(series_uid) {
        return Some(series.to_string());
    }
    let config = present(source_config_uid)?;
    Some(match device_id {
        Some(device) => format!("{config}/device-{device}"),
        None => config.to_string(),
    })
}

/// What a technician sees of an incident, taken from its newest trigger.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    pub title: String,
    pub severity: IncidentSeverity,
    pub actions: Vec<RuleAction>,
    pub series_uid: Option<String>,
    pub activity_type: Option<String>,
    pub status_code: Option<String>,
    pub source_name: Option<String>,
    pub ninja_severity: Option<String>,
    pub ninja_priority: Option<String>,
    pub device_id: Option<i64>,
    pub device_name: Option<String>,
    pub device_class: Option<String>,
    pub org_id: Option<NinjaOrgId>,
    pub company_id: Option<CompanyId>,
    pub asset_id: Option<AssetId>,
}

/// One activity (or a resolution by hand, a seed from `/v2/alerts`, a reconciliation) as
/// grouping sees it. `id` orders observations: NinjaOne activity ids ascend with time.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub role: Role,
    pub details: Details,
}

/// The newest resolution of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub how: Resolution,
}

/// An incident's grouping state. `count` is 0 for a key that has only been resolved so far
/// (a RESET that arrived before its TRIGGERED): it is kept, invisible, so the late trigger
/// does not open an incident that is already over.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesState {
    pub count: u32,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_trigger_id: Option<i64>,
    pub last_resolve: Option<Resolved>,
    pub details: Details,
    /// The watermark of a seed whose TRIGGERED has not arrived yet.
    pub seed: Option<i64>,
}

/// What applying an observation did, for notifications and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Opened,
    Reopened,
    /// A repeat TRIGGERED while open: count and last seen only, nobody is told.
    Repeated,
    Resolved,
    Unchanged,
}

impl SeriesState {
    pub fn status(&self) -> IncidentStatus {
        match (self.last_trigger_id, self.last_resolve) {
            (Some(trigger), Some(resolve)) if trigger <= resolve.id => IncidentStatus::Resolved,
            (Some(_), _) => IncidentStatus::Open,
            (None, _) => IncidentStatus::Resolved,
        }
    }

    /// Whether a technician should see it (something triggered at some point).
    pub fn visible(&self) -> bool {
        self.count > 0
    }
}

/// Applies one observation. Commutative and associative over observations with distinct
/// ids, which is what makes deliveries in any order converge.
pub fn apply(state: Option<SeriesState>, obs: &Observation) -> (SeriesState, Transition) {
    let before = state
        .as_ref()
        .filter(|s| s.visible())
        .map(SeriesState::status);
    let mut s = state.unwrap_or_else(|| SeriesState {
        count: 0,
        first_seen: None,
        last_seen: None,
        last_trigger_id: None,
        last_resolve: None,
        details: obs.details.clone(),
        seed: None,
    });
    match obs.role {
        Role::Trigger if s.seed.is_some_and(|seed| obs.id <= seed) => {
            // The TRIGGERED a seed stood for: it takes the seed's place, not a new count.
            s.seed = None;
            s.first_seen = Some(s.first_seen.map_or(obs.at, |t| t.min(obs.at)));
            s.last_seen = Some(s.last_seen.map_or(obs.at, |t| t.max(obs.at)));
            return (s, Transition::Unchanged);
        }
        Role::Seed => {
            s.count += 1;
            s.seed = Some(obs.id);
            s.first_seen = Some(s.first_seen.map_or(obs.at, |t| t.min(obs.at)));
            s.last_seen = Some(s.last_seen.map_or(obs.at, |t| t.max(obs.at)));
            if s.last_trigger_id.is_none_or(|id| obs.id > id) {
                s.last_trigger_id = Some(obs.id);
                s.details = obs.details.clone();
            }
        }
        Role::Trigger => {
            s.count += 1;
            s.first_seen = Some(s.first_seen.map_or(obs.at, |t| t.min(obs.at)));
            s.last_seen = Some(s.last_seen.map_or(obs.at, |t| t.max(obs.at)));
            if s.last_trigger_id.is_none_or(|id| obs.id > id) {
                s.last_trigger_id = Some(obs.id);
                s.details = obs.details.clone();
            }
        }
        Role::Resolve(how) => {
            if s.last_resolve.is_none_or(|r| obs.id > r.id) {
                s.last_resolve = Some(Resolved {
                    id: obs.id,
                    at: obs.at,
                    how,
                });
                if s.last_trigger_id.is_none() {
                    // Only resolutions so far: describe the key with the newest one.
                    s.details = obs.details.clone();
                }
            }
        }
        Role::Other => return (s, Transition::Unchanged),
    }
    let after = s.visible().then(|| s.status());
    let transition = match (before, after) {
        (None, Some(IncidentStatus::Open)) => Transition::Opened,
        (Some(IncidentStatus::Resolved), Some(IncidentStatus::Open)) => Transition::Reopened,
        (Some(IncidentStatus::Open), Some(IncidentStatus::Open))
            if matches!(obs.role, Role::Trigger | Role::Seed) =>
        {
            Transition::Repeated
        }
        (Some(IncidentStatus::Open), Some(IncidentStatus::Resolved)) => Transition::Resolved,
        _ => Transition::Unchanged,
    };
    (s, transition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn obs(id: i64, role: Role) -> Observation {
        Observation {
            id,
            at: at(id),
            role,
            details: Details {
                title: format!("activity {id}"),
                ..Details::default()
            },
        }
    }

    fn trigger(id: i64) -> Observation {
        obs(id, Role::Trigger)
    }

    fn reset(id: i64) -> Observation {
        obs(id, Role::Resolve(Resolution::Reset))
    }

    fn run(observations: &[Observation]) -> (Option<SeriesState>, Vec<Transition>) {
        let mut state = None;
        let mut transitions = Vec::new();
        for o in observations {
            let (next, t) = apply(state, o);
            state = Some(next);
            transitions.push(t);
        }
        (state, transitions)
    }

    #[test]
    fn roles_come_from_type_and_code_and_unknown_codes_are_other() {
        assert_eq!(role("CONDITION", "TRIGGERED"), Role::Trigger);
        assert_eq!(role("CONDITION", "RESET"), Role::Resolve(Resolution::Reset));
        assert_eq!(
            role("ACTIONSET", "COMPLETED"),
            Role::Resolve(Resolution::Completed)
        );
        assert_eq!(role("SCRIPTING", "COMPLETED"), Role::Other);
        assert_eq!(role("QUANTUM", "NINJA_QUANTUM_SYNC_COMPLETED"), Role::Other);
    }

    #[test]
    fn the_key_is_the_series_or_the_source_and_device() {
        assert_eq!(key(Some("s-1"), Some("c"), Some(3)).as_deref(), Some("s-1"));
        assert_eq!(
            key(None, Some("c-9"), Some(3)).as_deref(),
            Some("c-9/device-3")
        );
        assert_eq!(key(Some("  "), None, Some(3)), None);
    }

    #[test]
    fn repeats_while_open_only_count_and_move_last_seen() {
        let (state, transitions) = run(&[trigger(1), trigger(2), trigger(3)]);
        let state = state.unwrap();
        assert_eq!(
            transitions,
            vec![
                Transition::Opened,
                Transition::Repeated,
                Transition::Repeated
            ]
        );
        assert_eq!(state.count, 3);
        assert_eq!(state.first_seen, Some(at(1)));
        assert_eq!(state.last_seen, Some(at(3)));
        assert_eq!(state.details.title, "activity 3");
        assert_eq!(state.status(), IncidentStatus::Open);
    }

    #[test]
    fn a_reset_resolves_and_a_later_trigger_reopens() {
        let (state, transitions) = run(&[trigger(1), reset(2), trigger(3)]);
        assert_eq!(
            transitions,
            vec![
                Transition::Opened,
                Transition::Resolved,
                Transition::Reopened
            ]
        );
        assert_eq!(state.unwrap().status(), IncidentStatus::Open);
    }

    #[test]
    fn a_reset_that_overtakes_its_trigger_leaves_the_incident_resolved() {
        let (state, transitions) = run(&[reset(2), trigger(1)]);
        let state = state.unwrap();
        assert_eq!(state.status(), IncidentStatus::Resolved);
        assert_eq!(state.count, 1);
        assert_eq!(
            transitions,
            vec![Transition::Unchanged, Transition::Unchanged]
        );
    }

    #[test]
    fn a_reset_alone_stays_invisible() {
        let (state, _) = run(&[reset(5)]);
        assert!(!state.unwrap().visible());
    }

    #[test]
    fn an_old_trigger_arriving_late_does_not_reopen() {
        let (state, transitions) = run(&[trigger(3), reset(4), trigger(2)]);
        assert_eq!(state.unwrap().status(), IncidentStatus::Resolved);
        assert_eq!(transitions[2], Transition::Unchanged);
    }

    /// Observations of one series with distinct ids: each a trigger or a reset.
    fn observations() -> impl Strategy<Value = Vec<Observation>> {
        prop::collection::btree_map(1i64..60, any::<bool>(), 1..12).prop_map(|ids| {
            ids.into_iter()
                .map(|(id, is_trigger)| if is_trigger { trigger(id) } else { reset(id) })
                .collect()
        })
    }

    proptest! {
        /// Any order of the same activities ends in the same incident.
        #[test]
        fn every_order_of_the_same_activities_converges(
            list in observations(),
            seed in any::<u64>(),
        ) {
            let (in_order, _) = run(&list);
            let mut shuffled = list.clone();
            // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (x >> 33) as usize % (i + 1));
            }
            let (other, _) = run(&shuffled);
            prop_assert_eq!(in_order, other);
        }

        /// The open/resolved state is decided by the newest activity alone.
        #[test]
        fn the_newest_activity_decides_open_or_resolved(list in observations()) {
            let (state, _) = run(&list);
            let state = state.unwrap();
            let newest = list.iter().max_by_key(|o| o.id).unwrap();
            let triggers = list.iter().filter(|o| o.role == Role::Trigger).count() as u32;
            prop_assert_eq!(state.count, triggers);
            if triggers > 0 {
                let expected = if newest.role == Role::Trigger {
                    IncidentStatus::Open
                } else {
                    IncidentStatus::Resolved
                };
                prop_assert_eq!(state.status(), expected);
            }
        }
    }
}

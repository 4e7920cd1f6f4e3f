//! What a fetch means for the stored assets of one mapping (SPEC §4), decided without I/O:
//! new devices are created, changed ones updated with one change per field, unchanged ones
//! left alone (an unchanged resync writes nothing), active assets missing from the fetch
//! become stale, and stale ones that are back become active again.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{AssetDraft, Fields, SyncCounts, TargetFetch};
use crate::assets::{AssetStatus, RetiredReason};
use crate::ids::AssetId;

/// A stored asset of the mapping, as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAsset {
    pub id: AssetId,
    pub external_id: String,
    pub status: AssetStatus,
    pub retired_reason: Option<String>,
    pub fields: Fields,
}

/// One field's change: its name, old value and new value (`None`: absent).
pub type FieldDiff = (String, Option<String>, Option<String>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create(AssetDraft),
    Update {
        id: AssetId,
        draft: AssetDraft,
        diffs: Vec<FieldDiff>,
        /// The new status when it changes (back from stale, or from a disconnect).
        status: Option<AssetStatus>,
    },
    MarkStale(AssetId),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub counts: SyncCounts,
}

/// Decides the changes for one mapping. With a truncated or incomplete fetch, absence proves
/// nothing, so nothing is marked stale; held assets are left as they are. A device sent twice
/// (a repeated page) counts once.
pub fn plan(stored: Vec<StoredAsset>, fetched: &TargetFetch) -> Plan {
    let mut by_external: HashMap<&str, &StoredAsset> = stored
        .iter()
        .map(|asset| (asset.external_id.as_str(), asset))
        .collect();
    let mut plan = Plan {
        counts: SyncCounts {
            skipped_pending: fetched.skipped_pending,
            skipped_rejected: fetched.skipped_rejected,
            unreadable: fetched.unreadable,
            ..SyncCounts::default()
        },
        ..Plan::default()
    };
    for held in &fetched.held {
        by_external.remove(held.as_str());
    }
    let mut planned: HashSet<&str> = HashSet::with_capacity(fetched.drafts.len());
    for draft in &fetched.drafts {
        if !planned.insert(draft.external_id.as_str()) {
            continue;
        }
        match by_external.remove(draft.external_id.as_str()) {
            None => {
                plan.counts.created += 1;
                plan.changes.push(Change::Create(draft.clone()));
            }
            Some(asset) => {
                let completed;
                let draft = if draft.partly_read {
                    completed = keep_unread(asset, draft);
                    &completed
                } else {
                    draft
                };
                // Equal text is equal fields: most devices of a resync end here, unparsed.
                let diffs = if draft.fields == asset.fields {
                    Vec::new()
                } else {
                    diff(&asset.fields.to_map(), &draft.fields.to_map())
                };
                let status = comes_back(asset);
                if diffs.is_empty() && status.is_none() {
                    plan.counts.unchanged += 1;
                } else {
                    plan.counts.updated += 1;
                    plan.changes.push(Change::Update {
                        id: asset.id,
                        draft: draft.clone(),
                        diffs,
                        status,
                    });
                }
            }
        }
    }
    if !fetched.truncated && !fetched.incomplete {
        let mut gone: Vec<AssetId> = by_external
            .values()
            .filter(|asset| asset.status == AssetStatus::Active)
            .map(|asset| asset.id)
            .collect();
        gone.sort();
        plan.counts.stale += gone.len() as u32;
        plan.changes.extend(gone.into_iter().map(Change::MarkStale));
    }
    plan
}

/// A partly read draft with the stored values of the fields it lacks: what did not read
/// stays as it was instead of vanishing.
fn keep_unread(asset: &StoredAsset, draft: &AssetDraft) -> AssetDraft {
    let mut fields = asset.fields.to_map();
    fields.extend(draft.fields.to_map());
    AssetDraft {
        fields: Fields::from_map(&fields),
        ..draft.clone()
    }
}

/// The status an asset present in its source again takes: stale ones and those retired by a
/// disconnect come back; a duplicate stays retired (dedup decides about it).
fn comes_back(asset: &StoredAsset) -> Option<AssetStatus> {
    let disconnected = RetiredReason::Disconnected.to_string();
    match asset.status {
        AssetStatus::Active => None,
        AssetStatus::Stale => Some(AssetStatus::Active),
        AssetStatus::Retired if asset.retired_reason.as_deref() == Some(disconnected.as_str()) => {
            Some(AssetStatus::Active)
        }
        AssetStatus::Retired => None,
    }
}

/// The fields that differ, in name order.
pub fn diff(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FieldDiff> {
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (before, after) = (old.get(name), new.get(name));
            (before != after).then(|| (name.clone(), before.cloned(), after.cloned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, os: &str) -> AssetDraft {
        AssetDraft {
            external_id: id.into(),
            uid: Some(id.into()),
            name: Some(format!("host-{id}")),
            serial_number: None,
            mac_addresses: vec![],
            node_class: Some("WINDOWS_WORKSTATION".into()),
            fields: Fields::from_map(&BTreeMap::from([("os.name".to_string(), os.to_string())])),
            partly_read: false,
        }
    }

    fn stored(id: i64, external: &str, os: &str, status: AssetStatus) -> StoredAsset {
        StoredAsset {
            id: AssetId(id),
            external_id: external.into(),
            status,
            retired_reason: None,
            fields: Fields::from_map(&BTreeMap::from([("os.name".to_string(), os.to_string())])),
        }
    }

    fn fetch(drafts: Vec<AssetDraft>) -> TargetFetch {
        TargetFetch {
            drafts,
            skipped_pending: 2,
            skipped_rejected: 1,
            ..TargetFetch::default()
        }
    }

    #[test]
    fn new_changed_unchanged_and_missing_devices_are_told_apart() {
        let plan = plan(
            vec![
                stored(1, "a", "Windows 10", AssetStatus::Active),
                stored(2, "b", "Windows 11", AssetStatus::Active),
                stored(3, "gone", "Windows 11", AssetStatus::Active),
            ],
            &fetch(vec![
                draft("a", "Windows 11"),
                draft("b", "Windows 11"),
                draft("new", "macOS"),
            ]),
        );
        assert_eq!(
            plan.counts,
            SyncCounts {
                created: 1,
                updated: 1,
                unchanged: 1,
                stale: 1,
                retired_duplicates: 0,
                skipped_pending: 2,
                skipped_rejected: 1,
                unreadable: 0,
            }
        );
        assert!(plan.changes.contains(&Change::MarkStale(AssetId(3))));
        let update = plan
            .changes
            .iter()
            .find_map(|c| match c {
                Change::Update { id, diffs, .. } if *id == AssetId(1) => Some(diffs.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            update,
            vec![(
                "os.name".to_string(),
                Some("Windows 10".into()),
                Some("Windows 11".into())
            )]
        );
    }

    #[test]
    fn an_unchanged_resync_changes_nothing() {
        let plan = plan(
            vec![stored(1, "a", "Windows 11", AssetStatus::Active)],
            &fetch(vec![draft("a", "Windows 11")]),
        );
        assert!(plan.changes.is_empty());
        assert_eq!(plan.counts.unchanged, 1);
    }

    #[test]
    fn a_stale_asset_that_is_back_is_active_again_and_a_stale_one_still_gone_is_left() {
        let plan = plan(
            vec![
                stored(1, "back", "Windows 11", AssetStatus::Stale),
                stored(2, "still-gone", "Windows 11", AssetStatus::Stale),
            ],
            &fetch(vec![draft("back", "Windows 11")]),
        );
        assert_eq!(plan.counts.updated, 1);
        assert_eq!(plan.counts.stale, 0, "already stale is not counted again");
        assert!(matches!(
            &plan.changes[..],
            [Change::Update { id: AssetId(1), status: Some(AssetStatus::Active), diffs, .. }] if diffs.is_empty()
        ));
    }

    #[test]
    fn assets_retired_by_a_disconnect_come_back_but_duplicates_stay_retired() {
        let mut disconnected = stored(1, "a", "Windows 11", AssetStatus::Retired);
        disconnected.retired_reason = Some(RetiredReason::Disconnected.to_string());
        let mut duplicate = stored(2, "b", "Windows 11", AssetStatus::Retired);
        duplicate.retired_reason = Some("duplicate of asset 9".into());
        let plan = plan(
            vec![disconnected, duplicate],
            &fetch(vec![draft("a", "Windows 11"), draft("b", "Windows 11")]),
        );
        assert_eq!(plan.counts.updated, 1);
        assert_eq!(plan.counts.unchanged, 1);
    }

    #[test]
    fn a_truncated_fetch_marks_nothing_stale() {
        let mut truncated = fetch(vec![draft("a", "Windows 11")]);
        truncated.truncated = true;
        let plan = plan(
            vec![
                stored(1, "a", "Windows 11", AssetStatus::Active),
                stored(2, "beyond-the-cap", "Windows 11", AssetStatus::Active),
            ],
            &truncated,
        );
        assert_eq!(plan.counts.stale, 0);
        assert!(plan.changes.is_empty());
    }

    #[test]
    fn fields_that_appear_or_vanish_are_changes_too() {
        let old = BTreeMap::from([("a".to_string(), "1".to_string())]);
        let new = BTreeMap::from([("b".to_string(), "2".to_string())]);
        assert_eq!(
            diff(&old, &new),
            vec![
                ("a".to_string(), Some("1".to_string()), None),
                ("b".to_string(), None, Some("2".to_string())),
            ]
        );
    }

    #[test]
    fn a_device_sent_twice_is_planned_once() {
        let plan = plan(
            vec![stored(1, "a", "Windows 11", AssetStatus::Active)],
            &fetch(vec![
                draft("a", "Windows 11"),
                draft("new", "macOS"),
                draft("a", "Windows 11"),
                draft("new", "macOS"),
            ]),
        );
        assert_eq!((plan.counts.created, plan.counts.unchanged), (1, 1));
        assert_eq!(plan.changes.len(), 1);
    }

    #[test]
    fn an_incomplete_fetch_marks_nothing_stale_and_held_assets_are_left_alone() {
        let assets = || {
            vec![
                stored(1, "read", "Windows 11", AssetStatus::Active),
                stored(2, "held", "Windows 11", AssetStatus::Active),
                stored(3, "gone", "Windows 11", AssetStatus::Active),
            ]
        };
        let mut incomplete = fetch(vec![draft("read", "Windows 11")]);
        incomplete.incomplete = true;
        assert!(plan(assets(), &incomplete).changes.is_empty());

        let mut held = fetch(vec![draft("read", "Windows 11")]);
        held.held = vec!["held".into()];
        let plan = plan(assets(), &held);
        assert_eq!(plan.changes, vec![Change::MarkStale(AssetId(3))]);
    }

    #[test]
    fn a_partly_read_device_keeps_the_stored_values_of_what_did_not_read() {
        let mut asset = stored(1, "a", "Windows 10", AssetStatus::Active);
        asset.fields = Fields::from_map(&BTreeMap::from([
            ("os.name".to_string(), "Windows 10".to_string()),
            (
                "lifecycle.created".to_string(),
                "2024-01-01T00:00:00Z".to_string(),
            ),
        ]));
        let mut partly = draft("a", "Windows 11");
        partly.partly_read = true;
        let mut fetched = fetch(vec![partly]);
        fetched.unreadable = 1;
        let plan = plan(vec![asset], &fetched);
        assert_eq!(plan.counts.unreadable, 1);
        let [Change::Update { draft, diffs, .. }] = &plan.changes[..] else {
            panic!("one update: {:?}", plan.changes);
        };
        assert_eq!(
            diffs,
            &vec![(
                "os.name".to_string(),
                Some("Windows 10".into()),
                Some("Windows 11".into())
            )]
        );
        assert_eq!(
            draft.fields.to_map()["lifecycle.created"],
            "2024-01-01T00:00:00Z"
        );
    }
}

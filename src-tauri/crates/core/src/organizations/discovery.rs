//! Discovery rules (SPEC §3): which organizations NinjaOne lists, which of the known ones
//! have gone, and where the 5,000 cap cuts. `plan` is pure; `fetch` is the only I/O.

use std::collections::{BTreeSet, HashMap};

use futures::{StreamExt, TryStreamExt};
use ninjaone::{Client, DeviceFilter};

use super::{DiscoverySummary, ListedOrganization};
use crate::ids::NinjaOrgId;
use crate::Result;

/// Organizations beyond this are not listed; discovery marks the connection truncated.
pub const ORGANIZATION_CAP: usize = 5_000;

/// What NinjaOne answered: the organizations (at most one beyond the cap, to detect
/// truncation) and device counts per organization.
pub struct Listing {
    pub organizations: Vec<ninjaone::models::Organization>,
    pub device_counts: HashMap<i64, u32>,
}

/// The outcome of one discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryPlan {
    /// Organizations to record as present, in NinjaOne's order, capped.
    pub seen: Vec<ListedOrganization>,
    /// Known organizations NinjaOne no longer lists.
    pub gone: Vec<NinjaOrgId>,
    pub truncated: bool,
}

/// Walks every organization (cap 5,000) and counts devices per organization with one
/// tenant-wide device walk, never one request per organization.
pub async fn fetch(client: &Client) -> Result<Listing> {
    let organizations: Vec<ninjaone::models::Organization> = client
        .organizations()
        .take(ORGANIZATION_CAP + 1)
        .try_collect()
        .await?;
    let mut device_counts: HashMap<i64, u32> = HashMap::new();
    let mut devices = Box::pin(client.devices(&DeviceFilter::new()));
    while let Some(device) = devices.try_next().await? {
        if let Some(org) = device.organization_id {
            *device_counts.entry(org).or_default() += 1;
        }
    }
    Ok(Listing {
        organizations,
        device_counts,
    })
}

/// Decides what a listing means against what is known. An organization without an id is
/// skipped (nothing could refer to it); one without a name is called "Organization <id>".
/// With a truncated listing, absence proves nothing, so nothing is marked gone.
pub fn plan(known: &BTreeSet<NinjaOrgId>, listing: Listing) -> DiscoveryPlan {
    let truncated = listing.organizations.len() > ORGANIZATION_CAP;
    let seen: Vec<ListedOrganization> = listing
        .organizations
        .into_iter()
        .take(ORGANIZATION_CAP)
        .filter_map(|org| {
            let id = org.id?;
            Some(ListedOrganization {
                id: NinjaOrgId(id),
                name: org.name.unwrap_or_else(|| format!("Organization {id}")),
                device_count: listing.device_counts.get(&id).copied().unwrap_or(0),
            })
        })
        .collect();
    let present: BTreeSet<NinjaOrgId> = seen.iter().map(|o| o.id).collect();
    let gone = if truncated {
        Vec::new()
    } else {
        known.difference(&present).copied().collect()
    };
    DiscoveryPlan {
        seen,
        gone,
        truncated,
    }
}

/// The audit detail of a discovery.
pub fn describe(summary: &DiscoverySummary) -> String {
    format!(
        "{} organizations, {} new, {} gone{}",
        summary.organizations,
        summary.new_organizations,
        summary.gone_organizations,
        if summary.truncated {
            ", truncated at 5,000"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, name: Option<&str>) -> ninjaone::models::Organization {
        serde_json::from_value(serde_json::json!({ "id": id, "name": name })).unwrap()
    }

    fn listing(orgs: Vec<ninjaone::models::Organization>) -> Listing {
        Listing {
            organizations: orgs,
            device_counts: HashMap::from([(1, 12)]),
        }
    }

    fn known(ids: &[i64]) -> BTreeSet<NinjaOrgId> {
        ids.iter().copied().map(NinjaOrgId).collect()
    }

    #[test]
    fn known_organizations_missing_from_the_listing_are_gone() {
        let plan = plan(
            &known(&[1, 2, 3]),
            listing(vec![org(1, Some("Acme")), org(4, Some("New"))]),
        );
        assert_eq!(plan.gone, vec![NinjaOrgId(2), NinjaOrgId(3)]);
        assert_eq!(plan.seen.len(), 2);
        assert_eq!(plan.seen[0].device_count, 12);
        assert_eq!(plan.seen[1].device_count, 0);
        assert!(!plan.truncated);
    }

    #[test]
    fn a_truncated_listing_marks_nothing_gone() {
        let orgs = (1..=ORGANIZATION_CAP as i64 + 1)
            .map(|id| org(id, Some("x")))
            .collect();
        let plan = plan(&known(&[999_999]), listing(orgs));
        assert!(plan.truncated);
        assert_eq!(plan.seen.len(), ORGANIZATION_CAP);
        assert!(
            plan.gone.is_empty(),
            "absence in a truncated list proves nothing"
        );
    }

    #[test]
    fn organizations_without_an_id_are_skipped_and_without_a_name_are_named_by_id() {
        let nameless = org(5, None);
        let idless: ninjaone::models::Organization =
            serde_json::from_value(serde_json::json!({ "name": "ghost" })).unwrap();
        let plan = plan(&known(&[]), listing(vec![nameless, idless]));
        assert_eq!(plan.seen.len(), 1);
        assert_eq!(plan.seen[0].name, "Organization 5");
    }
}

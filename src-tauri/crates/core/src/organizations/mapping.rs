//! Mapping rules (SPEC §3), in one place for the engine, the CLI and the screens: which
//! organizations may be mapped, when a suggestion can be accepted, and which locations a
//! restriction may name.
//!
//! An organization gone from NinjaOne may not be newly mapped to a company: no device of it
//! can flow, and a mapping made now would only look like coverage that is not there. It may
//! still be ignored, and an existing mapping stays as it is (it comes back to life if the
//! organization reappears).

use std::collections::BTreeSet;

use super::{MappingChoice, MappingOptions, MappingState, OrganizationRow};
use crate::ids::NinjaLocationId;
use crate::store::organizations::OrganizationRecord;
use crate::sync::fields::{self, FieldChoice};
use crate::{Error, Result};

/// "Use existing" and "Create new" apply.
pub fn can_map(org: &OrganizationRecord) -> bool {
    !org.gone
}

/// "Accept suggestion" applies: still pending, present in NinjaOne, with a same-name company.
pub fn can_accept_suggestion(org: &OrganizationRecord) -> bool {
    org.state == MappingState::Pending && org.suggested_company.is_some() && can_map(org)
}

/// Refuses a choice the organization's state does not allow.
pub fn check_choice(org: &OrganizationRow, choice: &MappingChoice) -> Result<()> {
    match choice {
        MappingChoice::Ignore => Ok(()),
        MappingChoice::UseExisting { .. } | MappingChoice::CreateNew if org.can_map => Ok(()),
        MappingChoice::UseExisting { .. } | MappingChoice::CreateNew => Err(Error::InvalidInput(format!(
            "NinjaOne organization {} ({}) is no longer in NinjaOne, so it cannot be mapped to a company. \
             If it was only renamed or moved, discover organizations again; otherwise choose Don't sync.",
            org.org_id, org.name
        ))),
    }
}

/// The locations a restriction may name are the organization's own (as NinjaOne lists them
/// now); returns the restriction without repeats.
pub fn check_locations(
    org: &OrganizationRow,
    wanted: &[NinjaLocationId],
    known: &[NinjaLocationId],
) -> Result<BTreeSet<NinjaLocationId>> {
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|l| !known.contains(l))
        .map(|l| l.to_string())
        .collect();
    if !unknown.is_empty() {
        let available = if known.is_empty() {
            "it has none".to_string()
        } else {
            format!(
                "its locations are {}",
                known
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(Error::InvalidInput(format!(
            "NinjaOne organization {} ({}) has no location {}; {available}.",
            org.org_id,
            org.name,
            unknown.join(", ")
        )));
    }
    Ok(wanted.iter().copied().collect())
}

/// What a mapping keeps after `options`: groups left out or kept again (never a required
/// one), the custom fields named (checked), software on or off; what is not named stays.
pub fn apply_field_options(current: &FieldChoice, options: &MappingOptions) -> Result<FieldChoice> {
    let dropped = fields::dropped_after(
        &current.dropped,
        options.drop_field_groups.as_deref().unwrap_or_default(),
        options.keep_field_groups.as_deref().unwrap_or_default(),
    )?;
    let custom = match &options.custom_fields {
        Some(names) => fields::check_custom_fields(names)?,
        None => current.custom.clone(),
    };
    Ok(FieldChoice {
        dropped,
        custom,
        software: options.sync_software.unwrap_or(current.software),
    })
}

/// What a mapping keeps, for its audit row: "keeps every field group, custom fields
/// assetTag, and installed software".
pub fn describe_fields(choice: &FieldChoice) -> String {
    let groups = if choice.dropped.is_empty() {
        "keeps every field group".to_string()
    } else {
        let names: Vec<&str> = choice.dropped.iter().map(|g| g.as_str()).collect();
        format!("leaves out {}", names.join(", "))
    };
    let custom = if choice.custom.is_empty() {
        "no custom fields".to_string()
    } else {
        format!("custom fields {}", choice.custom.join(", "))
    };
    let software = if choice.software {
        "installed software"
    } else {
        "no installed software"
    };
    format!("{groups}, {custom}, {software}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CompanyId, ConnectionId, NinjaOrgId};

    fn record(state: MappingState, suggestion: bool, gone: bool) -> OrganizationRecord {
        OrganizationRecord {
            org_id: NinjaOrgId(42),
            name: "Acme".into(),
            device_count: Some(3),
            gone,
            state,
            company_id: None,
            company_name: None,
            suggested_company: suggestion.then(|| (CompanyId(1), "Acme".into())),
            include_non_agent: false,
            location_ids: vec![],
            fields: FieldChoice::default(),
        }
    }

    fn row(gone: bool) -> OrganizationRow {
        let r = record(MappingState::Pending, true, gone);
        OrganizationRow {
            connection_id: ConnectionId(1),
            org_id: r.org_id,
            name: r.name.clone(),
            state: r.state,
            company_id: None,
            company_name: None,
            suggested_company_id: Some(CompanyId(1)),
            suggested_company_name: Some("Acme".into()),
            device_count: r.device_count,
            gone,
            can_accept_suggestion: can_accept_suggestion(&r),
            can_map: can_map(&r),
            location_ids: vec![],
            include_non_agent: false,
            dropped_field_groups: vec![],
            custom_fields: vec![],
            sync_software: false,
        }
    }

    #[test]
    fn a_suggestion_can_be_accepted_only_for_a_pending_present_organization() {
        assert!(can_accept_suggestion(&record(
            MappingState::Pending,
            true,
            false
        )));
        assert!(!can_accept_suggestion(&record(
            MappingState::Pending,
            false,
            false
        )));
        assert!(!can_accept_suggestion(&record(
            MappingState::Pending,
            true,
            true
        )));
        assert!(!can_accept_suggestion(&record(
            MappingState::Mapped,
            true,
            false
        )));
        assert!(!can_accept_suggestion(&record(
            MappingState::Ignored,
            true,
            false
        )));
    }

    #[test]
    fn a_gone_organization_can_be_ignored_but_not_mapped() {
        let gone = row(true);
        assert!(check_choice(&gone, &MappingChoice::Ignore).is_ok());
        for choice in [
            MappingChoice::CreateNew,
            MappingChoice::UseExisting {
                company_id: CompanyId(1),
            },
        ] {
            let err = check_choice(&gone, &choice).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("no longer in NinjaOne"), "{err}");
        }
        assert!(check_choice(&row(false), &MappingChoice::CreateNew).is_ok());
    }

    #[test]
    fn a_location_restriction_may_only_name_the_organizations_own_locations() {
        let org = row(false);
        let known = [NinjaLocationId(1), NinjaLocationId(2)];
        let ok = check_locations(&org, &[NinjaLocationId(2), NinjaLocationId(2)], &known).unwrap();
        assert_eq!(ok.into_iter().collect::<Vec<_>>(), vec![NinjaLocationId(2)]);
        let err = check_locations(&org, &[NinjaLocationId(99999)], &known).unwrap_err();
        assert!(err.to_string().contains("no location 99999"), "{err}");
        assert!(err.to_string().contains("1, 2"), "{err}");
    }

    #[test]
    fn field_options_change_only_what_they_name() {
        use crate::sync::fields::FieldGroup;
        let current = FieldChoice {
            dropped: [FieldGroup::Health].into_iter().collect(),
            custom: vec!["assetTag".into()],
            software: true,
        };
        assert_eq!(
            apply_field_options(&current, &MappingOptions::default()).unwrap(),
            current
        );
        let changed = apply_field_options(
            &current,
            &MappingOptions {
                drop_field_groups: Some(vec![FieldGroup::Warranty]),
                keep_field_groups: Some(vec![FieldGroup::Health]),
                custom_fields: Some(vec![]),
                sync_software: Some(false),
                ..MappingOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            changed,
            FieldChoice {
                dropped: [FieldGroup::Warranty].into_iter().collect(),
                custom: vec![],
                software: false,
            }
        );
        let err = apply_field_options(
            &current,
            &MappingOptions {
                drop_field_groups: Some(vec![FieldGroup::Identity]),
                ..MappingOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(
            describe_fields(&current),
            "leaves out health, custom fields assetTag, installed software"
        );
    }
}

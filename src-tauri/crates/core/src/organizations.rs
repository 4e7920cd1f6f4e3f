//! Organization mapping (SPEC §3): discover NinjaOne organizations, suggest the company with
//! the same name, and let the technician map, create, or ignore. Organizations that vanish
//! from NinjaOne are flagged, never deleted, and mappings outlive a disconnect.
//!
//! The rules are pure functions in `discovery` (what is new, what has gone) and `mapping`
//! (what may be mapped, and to what); this module runs them against NinjaOne and the store.

pub mod discovery;
pub mod mapping;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ninjaone::Client;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::{AuditAction, Scope};
use crate::companies::name_for_organization;
use crate::ids::{CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId};
use crate::store::organizations::OrganizationRecord;
use crate::store::{self, Store};
use crate::sync::fields::{FieldChoice, FieldGroup};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MappingState {
    /// Found in NinjaOne, not decided yet.
    Pending,
    Mapped,
    /// "Don't sync": never prompts again, no devices flow.
    Ignored,
}

impl MappingState {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingState::Pending => "pending",
            MappingState::Mapped => "mapped",
            MappingState::Ignored => "ignored",
        }
    }

    /// `None` for a state this version does not know (the store treats that as an error).
    pub fn parse(text: &str) -> Option<MappingState> {
        match text {
            "pending" => Some(MappingState::Pending),
            "mapped" => Some(MappingState::Mapped),
            "ignored" => Some(MappingState::Ignored),
            _ => None,
        }
    }
}

/// An organization as NinjaOne listed it in one discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedOrganization {
    pub id: NinjaOrgId,
    pub name: String,
    pub device_count: u32,
}

/// One organization on the Organizations screen and in `orgs list`, with every flag the
/// screen needs: the UI decides nothing itself.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrganizationRow {
    pub connection_id: ConnectionId,
    pub org_id: NinjaOrgId,
    pub name: String,
    pub state: MappingState,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    /// The company with the same name, when there is one.
    pub suggested_company_id: Option<CompanyId>,
    pub suggested_company_name: Option<String>,
    pub device_count: Option<u32>,
    /// No longer in NinjaOne (kept, flagged).
    pub gone: bool,
    /// "Accept suggestion" applies: pending, present in NinjaOne, with a suggestion.
    pub can_accept_suggestion: bool,
    /// "Use existing" and "Create new" apply (not for an organization gone from NinjaOne).
    pub can_map: bool,
    /// When non-empty, only devices of these locations sync.
    pub location_ids: Vec<NinjaLocationId>,
    /// Also sync network and non-agent devices (NMS, VM hosts and guests, cloud monitors).
    pub include_non_agent: bool,
    /// Optional field groups the mapping leaves out; every other group is kept.
    pub dropped_field_groups: Vec<FieldGroup>,
    /// NinjaOne custom fields the mapping keeps, by name.
    pub custom_fields: Vec<String>,
    /// Also sync each device's installed software.
    pub sync_software: bool,
}

impl OrganizationRow {
    /// What the mapping keeps beyond the required fields.
    pub fn field_choice(&self) -> FieldChoice {
        FieldChoice {
            dropped: self.dropped_field_groups.iter().copied().collect(),
            custom: self.custom_fields.clone(),
            software: self.sync_software,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiscoverySummary {
    pub organizations: u32,
    pub new_organizations: u32,
    pub gone_organizations: u32,
    /// More than 5,000 organizations: only the first 5,000 were listed.
    pub truncated: bool,
}

/// What to do with one organization.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum MappingChoice {
    /// Use existing: map to this company.
    UseExisting { company_id: CompanyId },
    /// Create new: a company with the organization's name, or the one already so named.
    CreateNew,
    /// Don't sync.
    Ignore,
}

/// Options of a mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingOptions {
    /// Restrict to these locations; `None` leaves the restriction as it is.
    #[ts(optional)]
    pub location_ids: Option<Vec<NinjaLocationId>>,
    #[ts(optional)]
    pub include_non_agent: Option<bool>,
    /// Optional field groups to leave out (required groups cannot be); `None` or empty
    /// leaves out nothing more.
    #[ts(optional)]
    pub drop_field_groups: Option<Vec<FieldGroup>>,
    /// Optional field groups to keep again.
    #[ts(optional)]
    pub keep_field_groups: Option<Vec<FieldGroup>>,
    /// The NinjaOne custom fields to keep, by name: replaces the list; `None` leaves it.
    #[ts(optional)]
    pub custom_fields: Option<Vec<String>>,
    /// Also sync installed software; `None` leaves it as it is.
    #[ts(optional)]
    pub sync_software: Option<bool>,
}

/// Lists the organizations from NinjaOne and records what is new and what has gone.
pub async fn discover(
    store: &Store,
    client: &Client,
    connection: ConnectionId,
    now: DateTime<Utc>,
) -> Result<DiscoverySummary> {
    let listing = discovery::fetch(client).await?;
    let mut tx = store.write().await?;
    let known = store::organizations::known_ids(&mut tx, connection).await?;
    let plan = discovery::plan(&known, listing);
    let mut new_organizations = 0;
    for org in &plan.seen {
        if store::organizations::upsert_seen(&mut tx, connection, org, now).await?
            && !known.contains(&org.id)
        {
            new_organizations += 1;
        }
    }
    for org in &plan.gone {
        store::organizations::mark_gone(&mut tx, connection, *org, now).await?;
    }
    store::connections::mark_discovered(&mut tx, connection, now, plan.truncated).await?;
    let summary = DiscoverySummary {
        organizations: plan.seen.len() as u32,
        new_organizations,
        gone_organizations: plan.gone.len() as u32,
        truncated: plan.truncated,
    };
    store::audit::record(
        &mut tx,
        now,
        Scope::Msp,
        AuditAction::OrganizationsDiscovered,
        &discovery::describe(&summary),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

pub async fn rows(store: &Store, connection: ConnectionId) -> Result<Vec<OrganizationRow>> {
    Ok(
        store::organizations::records(store.pool(), connection, None)
            .await?
            .into_iter()
            .map(|record| row(connection, record))
            .collect(),
    )
}

pub async fn one(
    store: &Store,
    connection: ConnectionId,
    org: NinjaOrgId,
) -> Result<OrganizationRow> {
    store::organizations::records(store.pool(), connection, Some(org))
        .await?
        .into_iter()
        .next()
        .map(|record| row(connection, record))
        .ok_or_else(|| {
            Error::NotFound(format!(
                "NinjaOne organization {org} is not known for this connection. Discover organizations first (`fleetward-cli orgs list`)."
            ))
        })
}

/// A mapping decision to carry out, checked against the rules.
pub struct MappingRequest<'a> {
    pub connection: ConnectionId,
    pub org: NinjaOrgId,
    pub choice: &'a MappingChoice,
    pub options: &'a MappingOptions,
    /// The organization's locations in NinjaOne, when the request restricts locations.
    pub known_locations: Option<&'a [NinjaLocationId]>,
}

/// Applies a choice (and options) to one organization in one transaction, with its audit row.
pub async fn map(
    store: &Store,
    request: &MappingRequest<'_>,
    now: DateTime<Utc>,
) -> Result<OrganizationRow> {
    let MappingRequest {
        connection,
        org,
        choice,
        options,
        ..
    } = *request;
    let current = one(store, connection, org).await?;
    mapping::check_choice(&current, choice)?;
    let locations = match (&options.location_ids, request.known_locations) {
        (Some(wanted), Some(known)) => Some(mapping::check_locations(&current, wanted, known)?),
        (Some(wanted), None) if wanted.is_empty() => Some(BTreeSet::new()),
        (Some(_), None) => {
            return Err(Error::Internal(
                "A location restriction was asked for without the organization's locations.".into(),
            ))
        }
        (None, _) => None,
    };
    let fields = mapping::apply_field_options(&current.field_choice(), options)?;
    let mut tx = store.write().await?;
    let (state, company) = match choice {
        MappingChoice::UseExisting { company_id } => {
            if !store::companies::exists(&mut tx, *company_id).await? {
                return Err(Error::NotFound(format!(
                    "There is no company {company_id}. List them with `fleetward-cli companies list`."
                )));
            }
            (MappingState::Mapped, Some(*company_id))
        }
        MappingChoice::CreateNew => {
            let name = name_for_organization(&current.name, org);
            let company = match store::companies::insert(&mut tx, &name, now).await? {
                Some(id) => {
                    store::audit::record(
                        &mut tx,
                        now,
                        Scope::Company(id),
                        AuditAction::CompanyCreated,
                        &name,
                    )
                    .await?;
                    id
                }
                None => store::companies::id_named(&mut tx, &name)
                    .await?
                    .ok_or_else(|| {
                        Error::Internal(format!(
                            "The company named \"{name}\" vanished while mapping; try again."
                        ))
                    })?,
            };
            (MappingState::Mapped, Some(company))
        }
        MappingChoice::Ignore => (MappingState::Ignored, None),
    };
    store::organizations::set_mapping(
        &mut tx,
        connection,
        org,
        state,
        company,
        options.include_non_agent,
        now,
    )
    .await?;
    if fields != current.field_choice() {
        store::organizations::set_field_choice(&mut tx, connection, org, &fields).await?;
    }
    if let Some(locations) = &locations {
        store::organizations::replace_locations(&mut tx, connection, org, locations).await?;
    }
    let detail = match company {
        Some(c) => format!(
            "NinjaOne organization {org} ({}) → company {c}",
            current.name
        ),
        None => format!(
            "NinjaOne organization {org} ({}) set to {}",
            current.name,
            state.as_str()
        ),
    };
    let detail = if fields == current.field_choice() {
        detail
    } else {
        format!("{detail}; {}", mapping::describe_fields(&fields))
    };
    let scope = company.map_or(Scope::Msp, Scope::Company);
    store::audit::record(
        &mut tx,
        now,
        scope,
        AuditAction::OrganizationMapped,
        &detail,
    )
    .await?;
    tx.commit().await?;
    one(store, connection, org).await
}

fn row(connection: ConnectionId, record: OrganizationRecord) -> OrganizationRow {
    let can_accept_suggestion = mapping::can_accept_suggestion(&record);
    let can_map = mapping::can_map(&record);
    let (suggested_company_id, suggested_company_name) = record.suggested_company.unzip();
    OrganizationRow {
        connection_id: connection,
        org_id: record.org_id,
        name: record.name,
        state: record.state,
        company_id: record.company_id,
        company_name: record.company_name,
        suggested_company_id,
        suggested_company_name,
        device_count: record.device_count,
        gone: record.gone,
        can_accept_suggestion,
        can_map,
        location_ids: record.location_ids,
        include_non_agent: record.include_non_agent,
        dropped_field_groups: record.fields.dropped.into_iter().collect(),
        custom_fields: record.fields.custom,
        sync_software: record.fields.software,
    }
}

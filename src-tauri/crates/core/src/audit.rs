//! The audit trail (SPEC §4): who did what to which company, never pruned. Written in the
//! same transaction as the change it records, so the trail and the data cannot disagree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{CompanyId, ComplianceTenantId};

/// Whose record an event belongs to.
pub enum Scope<'a> {
    Msp,
    Company(CompanyId),
    Tenant(CompanyId, &'a ComplianceTenantId),
}

impl Scope<'_> {
    /// The label shown in `audit list` (`msp`, `company:7`, `tenant:ct_…`).
    pub fn label(&self) -> String {
        match self {
            Scope::Msp => "msp".into(),
            Scope::Company(id) => format!("company:{id}"),
            Scope::Tenant(_, tenant) => format!("tenant:{tenant}"),
        }
    }

    pub fn company(&self) -> Option<CompanyId> {
        match self {
            Scope::Msp => None,
            Scope::Company(id) | Scope::Tenant(id, _) => Some(*id),
        }
    }

    pub fn tenant(&self) -> Option<&ComplianceTenantId> {
        match self {
            Scope::Tenant(_, tenant) => Some(tenant),
            _ => None,
        }
    }
}

/// What happened. Stored as its SCREAMING_SNAKE_CASE name; a name this version does not know
/// is an error when read, never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[ts(export)]
pub enum AuditAction {
    ConnectionSaved,
    ConnectionDisconnected,
    /// On every compliance tenant a disconnected connection fed (SPEC §6).
    NinjaoneDisconnected,
    OrganizationsDiscovered,
    OrganizationMapped,
    CompanyCreated,
    CompanyRenamed,
    ComplianceTenantCreated,
    /// A sync changed a company's assets (counts only; an unchanged sync writes nothing).
    AssetsSynced,
    /// An import of another source changed a company's assets.
    AssetsImported,
    /// Copies of machines another source also holds were retired (SPEC §4 dedup).
    DuplicatesRetired,
}

impl AuditAction {
    pub const ALL: [AuditAction; 11] = [
        AuditAction::ConnectionSaved,
        AuditAction::ConnectionDisconnected,
        AuditAction::NinjaoneDisconnected,
        AuditAction::OrganizationsDiscovered,
        AuditAction::OrganizationMapped,
        AuditAction::CompanyCreated,
        AuditAction::CompanyRenamed,
        AuditAction::ComplianceTenantCreated,
        AuditAction::AssetsSynced,
        AuditAction::AssetsImported,
        AuditAction::DuplicatesRetired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ConnectionSaved => "CONNECTION_SAVED",
            AuditAction::ConnectionDisconnected => "CONNECTION_DISCONNECTED",
            AuditAction::NinjaoneDisconnected => "NINJAONE_DISCONNECTED",
            AuditAction::OrganizationsDiscovered => "ORGANIZATIONS_DISCOVERED",
            AuditAction::OrganizationMapped => "ORGANIZATION_MAPPED",
            AuditAction::CompanyCreated => "COMPANY_CREATED",
            AuditAction::CompanyRenamed => "COMPANY_RENAMED",
            AuditAction::ComplianceTenantCreated => "COMPLIANCE_TENANT_CREATED",
            AuditAction::AssetsSynced => "ASSETS_SYNCED",
            AuditAction::AssetsImported => "ASSETS_IMPORTED",
            AuditAction::DuplicatesRetired => "DUPLICATES_RETIRED",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One row of `audit list`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub scope: String,
    pub action: AuditAction,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_stored_by_the_name_it_serialises_to() {
        for action in AuditAction::ALL {
            let json = serde_json::to_value(action).unwrap();
            assert_eq!(json, serde_json::json!(action.as_str()));
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("SOMETHING_NEWER"), None);
    }
}

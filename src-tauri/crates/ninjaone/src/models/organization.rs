//! Organizations and locations (ninjaone-api.md §3.1). One struct serves both the plain and
//! the detailed organization endpoints: the detailed one only adds `locations`, `policies`
//! and `settings`.

use serde::{Deserialize, Serialize};

use super::{Extra, NodeApprovalMode};

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub node_approval_mode: Option<NodeApprovalMode>,
    pub user_data: Option<serde_json::Value>,
    /// Detailed endpoints only.
    pub locations: Option<Vec<Location>>,
    pub policies: Option<Vec<serde_json::Value>>,
    pub settings: Option<OrganizationSettings>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Per-product settings of an organization: each entry is `{product?, enabled, targets?,
/// options?}`; kept as JSON because Fleetward only reads `backup.enabled`.
pub type OrganizationSettings = serde_json::Map<String, serde_json::Value>;

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    /// `/v2/locations` only (the per-organization list omits it).
    pub organization_id: Option<i64>,
    pub user_data: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

//! How organization and location records look on the wire (ninjaone-api.md §3.1): the
//! plain and detailed organization shapes and the two location shapes (the per-organization
//! list omits `organizationId`).

use ninjaone::models::{Location, NodeClass, Organization, OrganizationSettings};
use serde_json::json;

use crate::profile::{role_id, role_policy_id};
use crate::tenant::{LocationRecord, OrgRecord, View};

pub(crate) fn plain(org: &OrgRecord) -> Organization {
    Organization {
        id: Some(org.id),
        name: Some(org.name.clone()),
        description: org.description.clone(),
        node_approval_mode: Some(org.approval_mode.clone()),
        user_data: Some(json!({})),
        ..Organization::default()
    }
}

pub(crate) fn detailed(view: &View, org: &OrgRecord) -> Organization {
    let mut out = plain(org);
    out.locations = Some(
        view.locations_of(org.id)
            .map(|location| self::location(location, false))
            .collect(),
    );
    out.policies = Some(
        [
            NodeClass::WindowsWorkstation,
            NodeClass::WindowsServer,
            NodeClass::Mac,
            NodeClass::LinuxServer,
        ]
        .iter()
        .map(|class| json!({ "nodeRoleId": role_id(class), "policyId": role_policy_id(class) }))
        .collect(),
    );
    out.settings = Some(settings(org));
    out
}

fn settings(org: &OrgRecord) -> OrganizationSettings {
    let mut settings = OrganizationSettings::new();
    settings.insert("trayicon".into(), json!({ "enabled": true }));
    settings.insert("splashtop".into(), json!({ "enabled": false }));
    settings.insert(
        "teamviewer".into(),
        json!({ "product": "REACH", "enabled": org.id % 2 == 0, "targets": ["WINDOWS_SERVER", "MAC"] }),
    );
    settings.insert(
        "backup".into(),
        json!({
            "product": "NINJA_BACKUP",
            "enabled": org.backup_enabled,
            "targets": ["WINDOWS_WORKSTATION", "WINDOWS_SERVER", "MAC"],
            "options": {},
        }),
    );
    settings.insert("psa".into(), json!({ "enabled": false }));
    settings
}

pub(crate) fn location(location: &LocationRecord, with_org: bool) -> Location {
    Location {
        id: Some(location.id),
        name: Some(location.name.clone()),
        address: location.address.clone(),
        description: location.description.clone(),
        organization_id: with_org.then_some(location.org_id),
        user_data: Some(json!({})),
        ..Location::default()
    }
}

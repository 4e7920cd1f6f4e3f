//! Newtype ids (STYLE: names). A compliance tenant id is text and a company id a number, and
//! neither converts into the other, so the compiler refuses to file evidence under the MSP's
//! scope or a connection's id by mistake (SPEC §4).
//!
//! A tenant's record is scoped by its company and its tenant id together:
//!
//! ```
//! use fleetward_core::audit::Scope;
//! use fleetward_core::ids::{CompanyId, ComplianceTenantId};
//!
//! let tenant = ComplianceTenantId::generate();
//! let scope = Scope::Tenant(CompanyId(7), &tenant);
//! assert_eq!(scope.company(), Some(CompanyId(7)));
//! assert_eq!(scope.tenant(), Some(&tenant));
//! ```
//!
//! A tenant id never stands where a company id, and so the MSP's scope of a company, is
//! expected:
//!
//! ```compile_fail
//! use fleetward_core::audit::Scope;
//! use fleetward_core::ids::ComplianceTenantId;
//!
//! let scope = Scope::Company(ComplianceTenantId::generate());
//! ```
//!
//! ```compile_fail
//! use fleetward_core::ids::{CompanyId, ComplianceTenantId};
//!
//! let tenant = ComplianceTenantId::generate();
//! let company: CompanyId = tenant.into();
//! ```
//!
//! nor may a company id be filed as a tenant's:
//!
//! ```compile_fail
//! use fleetward_core::audit::Scope;
//! use fleetward_core::ids::CompanyId;
//!
//! let scope = Scope::Tenant(CompanyId(7), &CompanyId(7));
//! ```
//!
//! and the engine's per-company reads take a company, not a tenant:
//!
//! ```
//! use fleetward_core::ids::CompanyId;
//! use fleetward_core::Engine;
//!
//! async fn read(engine: &Engine) {
//!     let _ = engine.signals(Some(CompanyId(7))).await;
//! }
//! ```
//!
//! ```compile_fail
//! use fleetward_core::ids::ComplianceTenantId;
//! use fleetward_core::Engine;
//!
//! async fn read(engine: &Engine) {
//!     let _ = engine.signals(Some(ComplianceTenantId::generate())).await;
//! }
//! ```

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! integer_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[ts(export, type = "number")]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

integer_id!(
    /// A saved NinjaOne connection (one tenant's API credentials).
    ConnectionId
);
integer_id!(
    /// One of the MSP's customer companies.
    CompanyId
);
integer_id!(
    /// An organization's id inside NinjaOne.
    NinjaOrgId
);
integer_id!(
    /// A location's id inside NinjaOne.
    NinjaLocationId
);
integer_id!(
    /// An asset in a company's inventory.
    AssetId
);
integer_id!(
    /// A recorded sync, sweep or discovery run.
    RunId
);
integer_id!(
    /// A ticket in the local PSA ticket queue (compliance findings).
    TicketId
);

/// The id a company gets when it is promoted to a compliance tenant: evidence and signals
/// are filed under it, never under the MSP or a connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComplianceTenantId(String);

impl ComplianceTenantId {
    pub fn generate() -> ComplianceTenantId {
        ComplianceTenantId(format!("ct_{}", uuid::Uuid::new_v4().simple()))
    }

    pub fn from_stored(text: String) -> ComplianceTenantId {
        ComplianceTenantId(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ComplianceTenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_bare_values() {
        assert_eq!(serde_json::to_string(&CompanyId(7)).unwrap(), "7");
        let tenant = ComplianceTenantId::generate();
        assert!(tenant.as_str().starts_with("ct_"));
        assert_eq!(
            serde_json::to_string(&tenant).unwrap(),
            format!("\"{tenant}\"")
        );
        assert_ne!(tenant, ComplianceTenantId::generate());
    }
}

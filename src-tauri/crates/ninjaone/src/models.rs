//! Typed NinjaOne payloads (reference/ninjaone-api.md §3–§4).
//!
//! Three rules hold for every model, because NinjaOne's responses are not stable enough to
//! reject anything we do not recognise:
//! - every field is optional: NinjaOne omits absent fields instead of sending `null` (§2.1);
//! - timestamps are `f64` epoch seconds: fractions occur (§2.1);
//! - enums keep unknown values as strings ([`string_enum!`]), and unknown fields are kept in
//!   `extra`, so a NinjaOne release that adds values or fields loses nothing.

#[macro_use]
mod enums;
mod activity;
mod backup;
mod device;
mod organization;
mod query;

pub use activity::{Activity, ActivityPage, Alert};
pub use backup::BackupJob;
pub use device::*;
pub use enums::*;
pub use organization::{Location, Organization, OrganizationSettings};
pub use query::*;

/// Unknown fields, kept verbatim.
pub type Extra = serde_json::Map<String, serde_json::Value>;

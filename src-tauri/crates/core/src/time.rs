//! Time in the engine: the one [`Clock`] (passed in through `EngineConfig` and handed to the
//! NinjaOne client, the notification gate and every rule that reads time), and the stored
//! and printed form of a moment, RFC 3339 UTC.

use chrono::{DateTime, SecondsFormat, Utc};

pub use fleetward_clock::{system, Clock, ManualClock, SystemClock};

/// The stored and printed form: RFC 3339, UTC, whole seconds.
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whole seconds: what the store keeps, so a value read back equals the value written.
pub fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

//! Evidence as it is read back (SPEC §5): each sweep's signals on the compliance tenant, and
//! one evidence row per control a signal maps to. Evidence lives 7 days from its collection;
//! past that it reads as expired everywhere, never as current.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::signal::{SignalKind, SignalMetadata, SignalStatus};
use crate::ids::{CompanyId, ComplianceTenantId};

/// `expiresAt = collectedAt + 7 days`.
pub const LIFETIME_DAYS: i64 = 7;

pub fn expires_at(collected_at: DateTime<Utc>) -> DateTime<Utc> {
    collected_at + Duration::days(LIFETIME_DAYS)
}

/// Expired at `expires_at` itself: the evidence covers the 7 days before it.
pub fn is_expired(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at <= now
}

/// One signal of one company (`signals` prints these rows; SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignalRow {
    pub company_id: CompanyId,
    pub compliance_tenant_id: ComplianceTenantId,
    pub signal: SignalKind,
    pub status: SignalStatus,
    pub collected_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Past `expiresAt`: shown as expired, never as current.
    pub expired: bool,
    pub controls: Vec<String>,
    pub metadata: SignalMetadata,
}

/// One evidence row: a control's status as one signal showed it (`evidence export`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EvidenceRow {
    #[ts(type = "number")]
    pub id: i64,
    pub company_id: CompanyId,
    pub company_name: String,
    pub compliance_tenant_id: ComplianceTenantId,
    /// `IC-024`, …
    pub control: String,
    pub signal: SignalKind,
    pub status: SignalStatus,
    pub collected_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    /// The signal's numbers in plain words.
    pub summary: String,
}

/// Sets `expired` on rows read at `now`.
pub fn signals_at(mut rows: Vec<SignalRow>, now: DateTime<Utc>) -> Vec<SignalRow> {
    for row in &mut rows {
        row.expired = is_expired(row.expires_at, now);
    }
    rows
}

pub fn evidence_at(mut rows: Vec<EvidenceRow>, now: DateTime<Utc>) -> Vec<EvidenceRow> {
    for row in &mut rows {
        row.expired = is_expired(row.expires_at, now);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_expires_seven_days_after_collection() {
        let collected: DateTime<Utc> = "2026-03-01T12:30:00Z".parse().unwrap();
        let expires = expires_at(collected);
        assert_eq!(
            expires,
            "2026-03-08T12:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(!is_expired(expires, expires - Duration::seconds(1)));
        assert!(is_expired(expires, expires));
    }
}

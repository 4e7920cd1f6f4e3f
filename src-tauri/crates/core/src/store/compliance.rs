//! Compliance tenants as the store keeps them (SPEC §5, §6): the tenants a sweep covers, their
//! single-flight locks, signals with their evidence, tickets, and the first-evidence stamp of
//! connections. Signals and evidence are appended (history draws trends); expiry is a time
//! compared when read, never a deletion.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::compliance::evidence::{EvidenceRow, SignalRow};
use crate::compliance::signal::{SignalKind, SignalMetadata, SignalStatus};
use crate::compliance::tickets::{OpenTicket, Ticket, TicketPriority, TicketStatus};
use crate::ids::{CompanyId, ComplianceTenantId, ConnectionId, RunId, TicketId};
use crate::{time, Error, Result};

/// A compliance tenant that a connection feeds, with how many signals it has collected.
pub struct FedTenant {
    pub company: CompanyId,
    pub tenant: ComplianceTenantId,
    pub signals_collected: u64,
}

/// The compliance tenants whose companies have organizations of `connection` mapped.
pub async fn tenants_fed_by(tx: &mut WriteTx, connection: ConnectionId) -> Result<Vec<FedTenant>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.compliance_tenant_id, \
                (SELECT count(*) FROM signals s WHERE s.compliance_tenant_id = c.compliance_tenant_id) \
         FROM companies c WHERE c.compliance_tenant_id IS NOT NULL AND c.id IN \
         (SELECT company_id FROM mappings WHERE connection_id = ?1 AND state = 'mapped') \
         ORDER BY c.id",
    )
    .bind(connection.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(company, tenant, signals)| FedTenant {
            company: CompanyId(company),
            tenant: ComplianceTenantId::from_stored(tenant),
            signals_collected: signals.max(0) as u64,
        })
        .collect())
}

/// A compliance tenant in a sweep's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub company: CompanyId,
    pub company_name: String,
    pub tenant: ComplianceTenantId,
}

/// Every compliance tenant, or the one of `company`.
pub async fn tenants(pool: &SqlitePool, company: Option<CompanyId>) -> Result<Vec<TenantRecord>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, name, compliance_tenant_id FROM companies \
         WHERE compliance_tenant_id IS NOT NULL AND (?1 IS NULL OR id = ?1) ORDER BY id",
    )
    .bind(company.map(|c| c.0))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, tenant)| TenantRecord {
            company: CompanyId(id),
            company_name: name,
            tenant: ComplianceTenantId::from_stored(tenant),
        })
        .collect())
}

// Single flight per tenant.

/// Takes a tenant's sweep lock for `holder`, or answers `false` when another holder renewed
/// it after `stale_before`.
pub async fn take_lock(
    tx: &mut WriteTx,
    tenant: &ComplianceTenantId,
    holder: &str,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO sweep_locks (compliance_tenant_id, holder, acquired_at, heartbeat_at) \
         VALUES (?1, ?2, ?3, ?3) \
         ON CONFLICT (compliance_tenant_id) DO UPDATE SET holder = excluded.holder, \
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at \
         WHERE sweep_locks.holder = excluded.holder OR sweep_locks.heartbeat_at < ?4",
    )
    .bind(tenant.as_str())
    .bind(holder)
    .bind(time::format(now))
    .bind(time::format(stale_before))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn lock_holders_other_than(tx: &mut WriteTx, holder: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT holder FROM sweep_locks WHERE holder != ?1")
            .bind(holder)
            .fetch_all(&mut **tx)
            .await?,
    )
}

pub async fn forget_lock_holder(tx: &mut WriteTx, holder: &str) -> Result<()> {
    sqlx::query("DELETE FROM sweep_locks WHERE holder = ?1")
        .bind(holder)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn renew_locks(pool: &SqlitePool, holder: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE sweep_locks SET heartbeat_at = ?1 WHERE holder = ?2")
        .bind(time::format(now))
        .bind(holder)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn release_lock(
    pool: &SqlitePool,
    holder: &str,
    tenant: &ComplianceTenantId,
) -> Result<()> {
    sqlx::query("DELETE FROM sweep_locks WHERE holder = ?1 AND compliance_tenant_id = ?2")
        .bind(holder)
        .bind(tenant.as_str())
        .execute(pool)
        .await?;
    Ok(())
}

// Signals and evidence.

/// What a sweep writes for one signal of one tenant.
pub struct NewSignal<'a> {
    pub tenant: &'a ComplianceTenantId,
    pub company: CompanyId,
    pub kind: SignalKind,
    pub status: SignalStatus,
    pub metadata: &'a SignalMetadata,
    pub collected_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub run: Option<RunId>,
}

/// Appends a signal and one evidence row per control it maps to; returns the signal's id.
pub async fn insert_signal(tx: &mut WriteTx, s: &NewSignal<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO signals (compliance_tenant_id, company_id, signal, status, collected_at, expires_at, metadata, run_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
    )
    .bind(s.tenant.as_str())
    .bind(s.company.0)
    .bind(s.kind.as_str())
    .bind(s.status.as_str())
    .bind(time::format(s.collected_at))
    .bind(time::format(s.expires_at))
    .bind(serde_json::to_string(s.metadata).unwrap_or_else(|_| "{}".into()))
    .bind(s.run.map(|r| r.0))
    .fetch_one(&mut **tx)
    .await?;
    for control in s.kind.controls() {
        sqlx::query(
            "INSERT INTO evidence (compliance_tenant_id, signal_id, control, status, collected_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(s.tenant.as_str())
        .bind(id)
        .bind(control)
        .bind(s.status.as_str())
        .bind(time::format(s.collected_at))
        .bind(time::format(s.expires_at))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// The status of a tenant's latest signal of `kind`, if it has one.
pub async fn latest_status(
    tx: &mut WriteTx,
    tenant: &ComplianceTenantId,
    kind: SignalKind,
) -> Result<Option<SignalStatus>> {
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM signals WHERE compliance_tenant_id = ?1 AND signal = ?2 \
         ORDER BY collected_at DESC, id DESC LIMIT 1",
    )
    .bind(tenant.as_str())
    .bind(kind.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    status.map(|s| parse_status(&s)).transpose()
}

const SIGNAL_COLUMNS: &str =
    "s.company_id, s.compliance_tenant_id, s.signal, s.status, s.collected_at, \
     s.expires_at, s.metadata";

/// The latest signal of each (compliance tenant, signal), of one company when given. A
/// company that is no longer a tenant under the same id keeps its history but is not shown.
pub async fn latest_signals(
    pool: &SqlitePool,
    company: Option<CompanyId>,
) -> Result<Vec<SignalRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {SIGNAL_COLUMNS} FROM signals s JOIN companies c ON c.id = s.company_id \
         AND c.compliance_tenant_id = s.compliance_tenant_id \
         WHERE (?1 IS NULL OR s.company_id = ?1) AND s.id = (SELECT s2.id FROM signals s2 \
           WHERE s2.compliance_tenant_id = s.compliance_tenant_id AND s2.signal = s.signal \
           ORDER BY s2.collected_at DESC, s2.id DESC LIMIT 1) \
         ORDER BY c.name COLLATE NOCASE, s.company_id, s.signal"
    ))
    .bind(company.map(|c| c.0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(signal_row).collect()
}

/// Every signal of a company's tenant, oldest first (trends).
pub async fn signal_history(pool: &SqlitePool, company: CompanyId) -> Result<Vec<SignalRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {SIGNAL_COLUMNS} FROM signals s JOIN companies c ON c.id = s.company_id \
         AND c.compliance_tenant_id = s.compliance_tenant_id \
         WHERE s.company_id = ?1 ORDER BY s.collected_at, s.id"
    ))
    .bind(company.0)
    .fetch_all(pool)
    .await?;
    rows.iter().map(signal_row).collect()
}

fn signal_row(r: &sqlx::sqlite::SqliteRow) -> Result<SignalRow> {
    let kind_text: String = r.get("signal");
    let kind = SignalKind::parse(&kind_text).ok_or(Error::UnknownStoredValue {
        what: "signal",
        value: kind_text,
    })?;
    let metadata: String = r.get("metadata");
    let status: String = r.get("status");
    Ok(SignalRow {
        company_id: CompanyId(r.get("company_id")),
        compliance_tenant_id: ComplianceTenantId::from_stored(r.get("compliance_tenant_id")),
        signal: kind,
        status: parse_status(&status)?,
        collected_at: r.try_get("collected_at")?,
        expires_at: r.try_get("expires_at")?,
        expired: false,
        controls: kind.controls().iter().map(|c| c.to_string()).collect(),
        metadata: SignalMetadata::from_stored(kind, &metadata),
    })
}

/// Evidence rows, newest first; of one company when given.
pub async fn evidence(pool: &SqlitePool, company: Option<CompanyId>) -> Result<Vec<EvidenceRow>> {
    let rows = sqlx::query(
        "SELECT e.id, s.company_id, c.name AS company_name, e.compliance_tenant_id, e.control, s.signal, \
                e.status, e.collected_at, e.expires_at, s.metadata \
         FROM evidence e JOIN signals s ON s.id = e.signal_id JOIN companies c ON c.id = s.company_id \
         WHERE (?1 IS NULL OR s.company_id = ?1) ORDER BY e.collected_at DESC, e.id DESC",
    )
    .bind(company.map(|c| c.0))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let kind_text: String = r.get("signal");
            let kind = SignalKind::parse(&kind_text).ok_or(Error::UnknownStoredValue {
                what: "signal",
                value: kind_text,
            })?;
            let status: String = r.get("status");
            let metadata: String = r.get("metadata");
            Ok(EvidenceRow {
                id: r.get("id"),
                company_id: CompanyId(r.get("company_id")),
                company_name: r.get("company_name"),
                compliance_tenant_id: ComplianceTenantId::from_stored(
                    r.get("compliance_tenant_id"),
                ),
                control: r.get("control"),
                signal: kind,
                status: parse_status(&status)?,
                collected_at: r.try_get("collected_at")?,
                expires_at: r.try_get("expires_at")?,
                expired: false,
                summary: SignalMetadata::from_stored(kind, &metadata).summary(),
            })
        })
        .collect()
}

fn parse_status(text: &str) -> Result<SignalStatus> {
    SignalStatus::parse(text).ok_or_else(|| Error::UnknownStoredValue {
        what: "signal status",
        value: text.to_string(),
    })
}

// Tickets.

pub async fn open_ticket(
    tx: &mut WriteTx,
    company: CompanyId,
    kind: SignalKind,
) -> Result<Option<OpenTicket>> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, priority FROM tickets WHERE company_id = ?1 AND signal = ?2 AND status = 'open'",
    )
    .bind(company.0)
    .bind(kind.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(id, priority)| {
        Ok(OpenTicket {
            id: TicketId(id),
            priority: TicketPriority::parse(&priority).ok_or(Error::UnknownStoredValue {
                what: "ticket priority",
                value: priority,
            })?,
        })
    })
    .transpose()
}

/// A new open ticket.
pub struct NewTicket<'a> {
    pub company: CompanyId,
    pub tenant: &'a ComplianceTenantId,
    pub kind: SignalKind,
    pub priority: TicketPriority,
    pub signal_status: SignalStatus,
    pub title: &'a str,
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert_ticket(tx: &mut WriteTx, t: &NewTicket<'_>) -> Result<TicketId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (company_id, signal, priority, status, title, detail, opened_at, updated_at, \
         signal_status, compliance_tenant_id) VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?6, ?7, ?8) RETURNING id",
    )
    .bind(t.company.0)
    .bind(t.kind.as_str())
    .bind(t.priority.as_str())
    .bind(t.title)
    .bind(t.detail)
    .bind(time::format(t.at))
    .bind(t.signal_status.as_str())
    .bind(t.tenant.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(TicketId(id))
}

pub async fn update_ticket(
    tx: &mut WriteTx,
    id: TicketId,
    priority: TicketPriority,
    signal_status: SignalStatus,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET priority = ?1, signal_status = ?2, detail = ?3, updated_at = ?4 WHERE id = ?5",
    )
    .bind(priority.as_str())
    .bind(signal_status.as_str())
    .bind(detail)
    .bind(time::format(at))
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn close_ticket(
    tx: &mut WriteTx,
    id: TicketId,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE tickets SET status = 'closed', signal_status = 'pass', detail = ?1, updated_at = ?2, \
         closed_at = ?2 WHERE id = ?3",
    )
    .bind(detail)
    .bind(time::format(at))
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Tickets, newest first; only those of `status` when given.
pub async fn tickets(pool: &SqlitePool, status: Option<TicketStatus>) -> Result<Vec<Ticket>> {
    let rows = sqlx::query(
        "SELECT t.id, t.company_id, c.name AS company_name, t.signal, t.priority, t.status, t.signal_status, \
                t.title, t.detail, t.opened_at, t.updated_at, t.closed_at \
         FROM tickets t JOIN companies c ON c.id = t.company_id \
         WHERE ?1 IS NULL OR t.status = ?1 ORDER BY t.id DESC",
    )
    .bind(status.map(|s| s.as_str()))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let unknown =
                |what: &'static str, value: String| Error::UnknownStoredValue { what, value };
            let kind: String = r.get("signal");
            let priority: String = r.get("priority");
            let status: String = r.get("status");
            let signal_status: Option<String> = r.get("signal_status");
            Ok(Ticket {
                id: TicketId(r.get("id")),
                company_id: CompanyId(r.get("company_id")),
                company_name: r.get("company_name"),
                signal: SignalKind::parse(&kind).ok_or_else(|| unknown("signal", kind.clone()))?,
                priority: TicketPriority::parse(&priority)
                    .ok_or_else(|| unknown("ticket priority", priority.clone()))?,
                status: TicketStatus::parse(&status)
                    .ok_or_else(|| unknown("ticket status", status.clone()))?,
                signal_status: parse_status(signal_status.as_deref().unwrap_or("fail"))?,
                title: r.get("title"),
                detail: r.get("detail"),
                opened_at: r.try_get("opened_at")?,
                updated_at: r.try_get("updated_at")?,
                closed_at: r.try_get("closed_at")?,
            })
        })
        .collect()
}

// First-evidence stamp (dry run).

/// Whether the connection's first successful sweep is still to come (sweeps are dry runs).
pub async fn awaiting_first_evidence(tx: &mut WriteTx, connection: ConnectionId) -> Result<bool> {
    let stamped: Option<Option<String>> =
        sqlx::query_scalar("SELECT first_evidence_synced_at FROM connections WHERE id = ?1")
            .bind(connection.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(stamped.flatten().is_none())
}

/// Stamps `firstEvidenceSyncedAt` unless it is already set.
pub async fn stamp_first_evidence(
    tx: &mut WriteTx,
    connection: ConnectionId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE connections SET first_evidence_synced_at = ?1 WHERE id = ?2 AND first_evidence_synced_at IS NULL",
    )
    .bind(time::format(at))
    .bind(connection.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

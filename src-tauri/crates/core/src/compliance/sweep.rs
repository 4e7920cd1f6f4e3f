//! The one orchestrator of compliance sweeps (SPEC §5, §9): single flight per compliance
//! tenant through the store, the run record (trigger, status, requests per report, errors
//! with their fix), one fetch per connection for every tenant together, and per company one
//! transaction that writes its five signals, their evidence and its tickets. A failing tenant
//! never stops the others.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ninjaone::Client;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

use super::evidence;
use super::fetch::{self, RequestsByReport};
use super::rows::{self, CompanyRows};
use super::signal::{Signal, SignalKind, SignalStatus};
use super::tickets::{self, TicketChange};
use crate::engine::Trigger;
use crate::events::{EngineEvent, NoticeSeverity};
use crate::ids::{CompanyId, ComplianceTenantId, ConnectionId, RunId};
use crate::runs::RunKind;
use crate::store::compliance::{NewSignal, NewTicket, TenantRecord};
use crate::store::{self, Store};
use crate::sync::{RunStatus, SyncTarget};
use crate::time::Clock;
use crate::{Error, Result};

/// A sweep lock not renewed for this long belongs to a holder that died and is taken over.
pub const LOCK_EXPIRY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// What a sweep run records besides its status (the `counts` of a `sweep` run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SweepCounts {
    pub companies: u32,
    pub signals: u32,
    pub evidence: u32,
    /// Companies whose connection has not had its first successful sweep: no tickets.
    pub dry_run_companies: u32,
    pub tickets_opened: u32,
    pub tickets_updated: u32,
    pub tickets_closed: u32,
    /// Requests per report (`queries/volumes`, `activities`, …), every tenant together.
    #[ts(type = "Record<string, number>")]
    pub requests_by_report: RequestsByReport,
}

/// One signal's outcome in a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignalOutcome {
    pub signal: SignalKind,
    pub status: SignalStatus,
}

/// One compliance tenant's part of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CompanySweep {
    pub company_id: CompanyId,
    pub compliance_tenant_id: ComplianceTenantId,
    /// Signals were written, but no ticket opened (first-sweep dry run).
    pub dry_run: bool,
    pub signals: Vec<SignalOutcome>,
    /// What went wrong for this tenant, with what to do; the others went on.
    pub error: Option<String>,
    /// The kind of `error` (the CLI's exit code when every tenant failed the same way).
    #[serde(skip)]
    #[ts(skip)]
    pub error_kind: Option<crate::ErrorKind>,
    /// Left alone because another process is sweeping it: not a failure.
    #[serde(skip)]
    #[ts(skip)]
    pub busy: bool,
}

impl CompanySweep {
    /// Whether this tenant counts against the sweep: busy tenants were left to their holder.
    pub fn failed(&self) -> bool {
        self.error.is_some() && !self.busy
    }
}

/// A sweep: `sweep` prints this.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SweepRun {
    pub run_id: RunId,
    pub status: RunStatus,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "Record<string, number>")]
    pub requests_by_report: RequestsByReport,
    pub companies: Vec<CompanySweep>,
    /// When every failed tenant failed the same way: that kind.
    #[serde(skip)]
    #[ts(skip)]
    pub failure_kind: Option<crate::ErrorKind>,
}

/// What the orchestrator works with.
pub struct Orchestra<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    /// This engine instance's name in sweep locks.
    pub holder: &'a str,
    /// Whether another holder of a sweep lock is still running.
    pub alive: &'a (dyn Fn(&str) -> bool + Sync),
    pub events: &'a broadcast::Sender<EngineEvent>,
}

pub struct Request<'a> {
    pub trigger: Trigger,
    /// How the run record names its scope (`all`, `company:7`).
    pub scope: &'a str,
    /// Reading NinjaOne stops here: tenants not read by then fail with
    /// [`Error::DeadlineExceeded`]'s message, the others are written, the run lands.
    pub deadline: Option<std::time::Duration>,
}

/// One connection's client (or why it could not be made) and the mappings of tenants'
/// companies it reads.
pub struct Source {
    pub connection: ConnectionId,
    pub client: Result<Client>,
    pub mappings: Vec<SyncTarget>,
}

/// How often a sweep reports the pages read while it reads NinjaOne.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// How often a sweep renews its tenant locks while it reads NinjaOne.
const LOCK_RENEWAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Sweeps `tenants`, reading each source's reports once.
pub async fn run(
    o: &Orchestra<'_>,
    request: &Request<'_>,
    tenants: Vec<TenantRecord>,
    sources: Vec<Source>,
) -> Result<SweepRun> {
    let (held, busy) = take_off(o, tenants).await?;
    if held.is_empty() && !busy.is_empty() {
        return Err(already_running(&busy));
    }
    let outcome = fly(o, request, &held, &busy, sources).await;
    land(o, &held).await;
    outcome
}

async fn take_off(
    o: &Orchestra<'_>,
    tenants: Vec<TenantRecord>,
) -> Result<(Vec<TenantRecord>, Vec<TenantRecord>)> {
    let now = o.clock.now();
    let stale_before =
        now - chrono::Duration::from_std(LOCK_EXPIRY).unwrap_or(chrono::Duration::MAX);
    let mut tx = o.store.write().await?;
    for other in store::compliance::lock_holders_other_than(&mut tx, o.holder).await? {
        if !(o.alive)(&other) {
            store::compliance::forget_lock_holder(&mut tx, &other).await?;
        }
    }
    let (mut held, mut busy) = (Vec::new(), Vec::new());
    for t in tenants {
        if store::compliance::take_lock(&mut tx, &t.tenant, o.holder, now, stale_before).await? {
            held.push(t);
        } else {
            busy.push(t);
        }
    }
    tx.commit().await?;
    Ok((held, busy))
}

async fn land(o: &Orchestra<'_>, held: &[TenantRecord]) {
    for t in held {
        if let Err(err) = store::compliance::release_lock(o.store.pool(), o.holder, &t.tenant).await
        {
            tracing::warn!(error = %err, "a sweep lock could not be released; it expires on its own");
        }
    }
}

fn already_running(busy: &[TenantRecord]) -> Error {
    let which = busy
        .iter()
        .map(|t| format!("company {} ({})", t.company, t.company_name))
        .collect::<Vec<_>>()
        .join(", ");
    Error::AlreadyRunning(format!(
        "A compliance sweep of {which} is already running (in the app or another fleetward-cli). It was \
         left to finish; look at Sync history or `fleetward-cli runs list` for its result."
    ))
}

async fn fly(
    o: &Orchestra<'_>,
    request: &Request<'_>,
    held: &[TenantRecord],
    busy: &[TenantRecord],
    sources: Vec<Source>,
) -> Result<SweepRun> {
    let now = o.clock.now();
    let mut tx = o.store.write().await?;
    let run_id =
        store::runs::start(&mut tx, RunKind::Sweep, request.trigger, request.scope, now).await?;
    store::runs::held_by(&mut tx, run_id, o.holder).await?;
    tx.commit().await?;
    let total = held.len() as u32;
    let progress = |done: u32, pages: u64| {
        let _ = o.events.send(EngineEvent::SweepProgress {
            run_id,
            companies_done: done,
            companies_total: total,
            pages,
        });
    };
    progress(0, 0);

    let held_companies: BTreeSet<CompanyId> = held.iter().map(|t| t.company).collect();
    let mut rows: BTreeMap<CompanyId, CompanyRows> = BTreeMap::new();
    let mut failed: BTreeMap<CompanyId, (Option<crate::ErrorKind>, String)> = BTreeMap::new();
    let mut connections_of: BTreeMap<CompanyId, BTreeSet<ConnectionId>> = BTreeMap::new();
    let mut requests_by_report = RequestsByReport::new();
    let (mut requests, mut malformed) = (0, 0);
    // Each connection is read once for all its tenants; connections are read side by side,
    // and one that fails (or has no usable client) fails only its own tenants.
    let mut reads = Vec::new();
    // The clients being read, and their requests before, so progress can count pages.
    let mut watched: Vec<(Client, u64)> = Vec::new();
    for source in sources {
        let mappings: Vec<SyncTarget> = source
            .mappings
            .into_iter()
            .filter(|m| held_companies.contains(&m.company))
            .collect();
        if mappings.is_empty() {
            continue;
        }
        for m in &mappings {
            connections_of
                .entry(m.company)
                .or_default()
                .insert(source.connection);
        }
        if let Ok(client) = &source.client {
            watched.push((client.clone(), client.stats().requests));
        }
        reads.push(read_source(
            source.connection,
            source.client,
            mappings,
            now,
            request.deadline,
        ));
    }
    let renewing = crate::runs::every(LOCK_RENEWAL, || async {
        if let Err(err) =
            store::compliance::renew_locks(o.store.pool(), o.holder, o.clock.now()).await
        {
            tracing::warn!(error = %err, "sweep locks could not be renewed; trying again");
        }
    });
    let reporting = crate::runs::every(PROGRESS_EVERY, || async {
        let pages = watched
            .iter()
            .map(|(client, before)| client.stats().requests - before)
            .sum();
        progress(0, pages);
    });
    let read = tokio::select! {
        read = futures::future::join_all(reads) => read,
        () = renewing => unreachable!("lock renewal never ends"),
        () = reporting => unreachable!("progress never ends"),
    };
    for (connection, mappings, outcome) in read {
        requests += outcome.requests;
        malformed += outcome.malformed;
        match outcome.fetched {
            Ok(fetched) => {
                for (report, spent) in fetched.requests {
                    *requests_by_report.entry(report).or_default() += spent;
                }
                for (company, part) in fetched.companies {
                    merge(rows.entry(company).or_default(), part);
                }
            }
            Err(err) => {
                let message =
                    format!("reading connection {connection} from NinjaOne failed: {err}");
                for m in &mappings {
                    failed
                        .entry(m.company)
                        .or_insert_with(|| (Some(err.kind()), message.clone()));
                }
            }
        }
    }
    store::compliance::renew_locks(o.store.pool(), o.holder, o.clock.now()).await?;

    let mut companies = Vec::new();
    let mut counts = SweepCounts::default();
    for (done, tenant) in held.iter().enumerate() {
        let outcome = match failed.remove(&tenant.company) {
            Some(why) => Err(why),
            None => {
                let company_rows = rows.remove(&tenant.company).unwrap_or_default();
                let signals = rows::evaluate(&company_rows, now);
                drop(company_rows);
                let connections = connections_of
                    .get(&tenant.company)
                    .cloned()
                    .unwrap_or_default();
                write_company(o, run_id, tenant, &connections, &signals, now, &mut counts)
                    .await
                    .map_err(|e| (Some(e.kind()), e.to_string()))
                    .map(|dry_run| (dry_run, signals))
            }
        };
        companies.push(match outcome {
            Ok((dry_run, signals)) => CompanySweep {
                company_id: tenant.company,
                compliance_tenant_id: tenant.tenant.clone(),
                dry_run,
                signals: signals
                    .iter()
                    .map(|s| SignalOutcome {
                        signal: s.kind,
                        status: s.status,
                    })
                    .collect(),
                error: None,
                error_kind: None,
                busy: false,
            },
            Err((kind, error)) => failed_company(tenant, kind, error),
        });
        progress(done as u32 + 1, requests);
    }
    for t in busy {
        let mut part = failed_company(
            t,
            Some(crate::ErrorKind::AlreadyRunning),
            "A sweep of this compliance tenant is already running elsewhere (the app or another \
             fleetward-cli); it was left to finish."
                .into(),
        );
        part.busy = true;
        companies.push(part);
    }

    // A connection's first successful sweep ends its dry run: every tenant it feeds was
    // written.
    let failed_companies: BTreeSet<CompanyId> = companies
        .iter()
        .filter(|c| c.failed())
        .map(|c| c.company_id)
        .collect();
    let mut good: BTreeSet<ConnectionId> = connections_of.values().flatten().copied().collect();
    for (company, connections) in &connections_of {
        if failed_companies.contains(company) {
            for c in connections {
                good.remove(c);
            }
        }
    }
    if !good.is_empty() {
        let mut tx = o.store.write().await?;
        for connection in &good {
            store::compliance::stamp_first_evidence(&mut tx, *connection, o.clock.now()).await?;
        }
        tx.commit().await?;
    }

    let counted = companies.iter().filter(|c| !c.busy).count();
    let status = RunStatus::of(counted, failed_companies.len());
    let failure_kind = crate::ErrorKind::common(
        companies
            .iter()
            .filter(|c| c.failed())
            .map(|c| c.error_kind),
    );
    counts.companies = companies.len() as u32;
    counts.requests_by_report = requests_by_report.clone();
    let errors: Vec<String> = companies
        .iter()
        .filter_map(|c| {
            c.error
                .as_ref()
                .map(|e| format!("company {}: {e}", c.company_id))
        })
        .collect();
    let end = store::runs::Finish {
        status,
        truncated_any: false,
        requests,
        malformed_items: malformed,
        counts: &counts,
        errors: &errors,
    };
    store::runs::finish(o.store.pool(), run_id, &end, o.clock.now()).await?;
    let _ = o.events.send(EngineEvent::SweepFinished { run_id, status });
    if status != RunStatus::Succeeded {
        let _ = o.events.send(EngineEvent::Notice {
            severity: NoticeSeverity::Error,
            title: "Compliance sweep did not fully succeed".into(),
            message: format!(
                "{} of {} compliance tenants could not be swept. Open Sync history for the reasons and what to do.",
                failed_companies.len(),
                counted
            ),
        });
    }
    Ok(SweepRun {
        run_id,
        status,
        requests,
        requests_by_report,
        companies,
        failure_kind,
    })
}

/// What reading one connection brought, and what it cost.
struct SourceRead {
    fetched: Result<fetch::Fetched>,
    requests: u64,
    malformed: u64,
}

/// Reads one connection's reports for its tenants, within the sweep's deadline.
async fn read_source(
    connection: ConnectionId,
    client: Result<Client>,
    mappings: Vec<SyncTarget>,
    now: DateTime<Utc>,
    deadline: Option<std::time::Duration>,
) -> (ConnectionId, Vec<SyncTarget>, SourceRead) {
    let client = match client {
        Ok(client) => client,
        Err(err) => {
            let read = SourceRead {
                fetched: Err(err),
                requests: 0,
                malformed: 0,
            };
            return (connection, mappings, read);
        }
    };
    let before = client.stats();
    let reading = fetch::fetch(&client, &mappings, now, &|_| {});
    let fetched = match deadline {
        Some(limit) => tokio::time::timeout(limit, reading)
            .await
            .unwrap_or_else(|_| {
                Err(Error::DeadlineExceeded {
                    action: "Reading NinjaOne for the sweep",
                    after_secs: limit.as_secs(),
                    waiting: String::new(),
                })
            }),
        None => reading.await,
    };
    let after = client.stats();
    let read = SourceRead {
        fetched,
        requests: after.requests - before.requests,
        malformed: after.malformed_items - before.malformed_items,
    };
    (connection, mappings, read)
}

fn failed_company(t: &TenantRecord, kind: Option<crate::ErrorKind>, error: String) -> CompanySweep {
    CompanySweep {
        company_id: t.company,
        compliance_tenant_id: t.tenant.clone(),
        dry_run: false,
        signals: Vec::new(),
        error: Some(error),
        error_kind: kind,
        busy: false,
    }
}

fn merge(into: &mut CompanyRows, part: CompanyRows) {
    into.agents.extend(part.agents);
    into.inventory.extend(part.inventory);
    into.volumes.extend(part.volumes);
    into.antivirus.extend(part.antivirus);
    into.os_patches.extend(part.os_patches);
    into.software_patches.extend(part.software_patches);
    into.os_installs.extend(part.os_installs);
    into.software_installs.extend(part.software_installs);
    into.activities.extend(part.activities);
}

/// One tenant's signals, evidence and tickets in one transaction; returns whether it was a
/// dry run. Signals that turned `fail` are announced after the commit.
async fn write_company(
    o: &Orchestra<'_>,
    run: RunId,
    tenant: &TenantRecord,
    connections: &BTreeSet<ConnectionId>,
    signals: &[Signal],
    now: DateTime<Utc>,
    counts: &mut SweepCounts,
) -> Result<bool> {
    let mut tx = o.store.write().await?;
    // A tenant no connection feeds yet has nothing measured: no tickets either.
    let mut dry_run = connections.is_empty();
    for connection in connections {
        dry_run |= store::compliance::awaiting_first_evidence(&mut tx, *connection).await?;
    }
    let mut turned_fail = Vec::new();
    let mut local = SweepCounts::default();
    for signal in signals {
        let previous =
            store::compliance::latest_status(&mut tx, &tenant.tenant, signal.kind).await?;
        if signal.status == SignalStatus::Fail && previous != Some(SignalStatus::Fail) {
            turned_fail.push(signal);
        }
        store::compliance::insert_signal(
            &mut tx,
            &NewSignal {
                tenant: &tenant.tenant,
                company: tenant.company,
                kind: signal.kind,
                status: signal.status,
                metadata: &signal.metadata,
                collected_at: now,
                expires_at: evidence::expires_at(now),
                run: Some(run),
            },
        )
        .await?;
        local.signals += 1;
        local.evidence += signal.kind.controls().len() as u32;
        let open = store::compliance::open_ticket(&mut tx, tenant.company, signal.kind).await?;
        let detail = signal.metadata.summary();
        match tickets::decide(open, signal.status, dry_run) {
            Some(TicketChange::Open(priority)) => {
                let title = tickets::title(&tenant.company_name, signal.kind);
                store::compliance::insert_ticket(
                    &mut tx,
                    &NewTicket {
                        company: tenant.company,
                        tenant: &tenant.tenant,
                        kind: signal.kind,
                        priority,
                        signal_status: signal.status,
                        title: &title,
                        detail: &detail,
                        at: now,
                    },
                )
                .await?;
                local.tickets_opened += 1;
            }
            Some(TicketChange::Update(id, priority)) => {
                store::compliance::update_ticket(
                    &mut tx,
                    id,
                    priority,
                    signal.status,
                    &detail,
                    now,
                )
                .await?;
                local.tickets_updated += 1;
            }
            Some(TicketChange::Close(id)) => {
                store::compliance::close_ticket(&mut tx, id, &detail, now).await?;
                local.tickets_closed += 1;
            }
            None => {}
        }
    }
    tx.commit().await?;
    counts.signals += local.signals;
    counts.evidence += local.evidence;
    counts.tickets_opened += local.tickets_opened;
    counts.tickets_updated += local.tickets_updated;
    counts.tickets_closed += local.tickets_closed;
    counts.dry_run_companies += u32::from(dry_run);
    for signal in turned_fail {
        let _ = o.events.send(EngineEvent::SignalFailed {
            company_id: tenant.company,
            company_name: tenant.company_name.clone(),
            compliance_tenant_id: tenant.tenant.clone(),
            signal: signal.kind,
            summary: signal.metadata.summary(),
        });
    }
    Ok(dry_run)
}

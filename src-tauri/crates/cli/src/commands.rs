//! One function per command: parse what the user gave, call the engine, print the result.

use std::io::Read;

use fleetward_core::assets::{Asset, AssetSource, AssetStatus};
use fleetward_core::companies::Company;
use fleetward_core::connection::{Connection, ConnectionDraft, Region};
use fleetward_core::ids::{AssetId, CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId};
use fleetward_core::organizations::{MappingChoice, MappingOptions, MappingState, OrganizationRow};
use fleetward_core::sync::fields::{parse_groups, FieldGroup};
use fleetward_core::sync::{RunStatus, SyncRun};
use fleetward_core::Trigger;
use fleetward_core::{Engine, Error, ErrorKind};
use ninjaone::secrecy::SecretString;
use serde::Serialize;

use crate::output::{shown, Output};
use crate::{
    AssetsCommand, CompaniesCommand, CompanyArg, ConnectArgs, ConnectionArg, EvidenceCommand,
    ExportArgs, Failure, FormatArg, IncidentStatusArg, MapArgs, OrgsCommand, RegionArg, SourceArg,
    StatusArg, SyncArgs, TicketStatusArg, TicketsCommand,
};
use fleetward_core::compliance::evidence::SignalRow;
use fleetward_core::compliance::export::ExportFormat;
use fleetward_core::compliance::sweep::SweepRun;
use fleetward_core::compliance::tickets::{Ticket, TicketStatus};

type Result<T, E = Failure> = std::result::Result<T, E>;

const SECRET_ENV: &str = "FLEETWARD_CLIENT_SECRET";

pub fn validate_connect(args: &ConnectArgs) -> fleetward_core::Result<()> {
    if let Some(url) = &args.base_url {
        ninjaone::BaseUrl::custom(url)?;
    }
    if args.client_id.trim().is_empty() {
        return Err(Error::InvalidInput("--client-id is empty.".into()));
    }
    Ok(())
}

fn region(region: RegionArg) -> Region {
    match region {
        RegionArg::Us => Region::Us,
        RegionArg::Us2 => Region::Us2,
        RegionArg::Eu => Region::Eu,
        RegionArg::Ca => Region::Ca,
        RegionArg::Oc => Region::Oc,
    }
}

fn read_secret(from_stdin: bool) -> fleetward_core::Result<SecretString> {
    let secret = if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Error::InvalidInput(format!(
                "The client secret could not be read from standard input: {e}"
            ))
        })?;
        text
    } else {
        std::env::var(SECRET_ENV).unwrap_or_default()
    };
    let secret = SecretString::from(secret);
    if ninjaone::secrecy::ExposeSecret::expose_secret(&secret)
        .trim()
        .is_empty()
    {
        return Err(Error::InvalidInput(format!(
            "No client secret given. Pipe it in with --client-secret-stdin, or set {SECRET_ENV}."
        )));
    }
    Ok(secret)
}

pub async fn connect(engine: &Engine, out: &Output, args: ConnectArgs) -> Result<()> {
    let draft = ConnectionDraft {
        name: args.name,
        region: args.region.map(region),
        base_url: args.base_url,
        client_id: args.client_id,
        client_secret: read_secret(args.client_secret_stdin)?,
    };
    out.progress(
        "Testing the connection to NinjaOne, then saving it and discovering organizations…",
    );
    let result = engine.save_connection(&draft).await?;
    out.print(&result, || {
        let mut text = format!(
            "Connected to {} as connection {} ({} organizations, scopes: {}).\n{} new organizations are waiting for review: run `fleetward-cli orgs list`.",
            shown(&result.test.host),
            result.connection.id,
            result.test.organizations,
            shown(&result.test.granted_scopes.join(" ")),
            result.discovery.new_organizations,
        );
        for warning in &result.test.warnings {
            text.push_str(&format!("\nwarning: {warning}"));
        }
        text
    })?;
    Ok(())
}

pub async fn test_connection(engine: &Engine, out: &Output, args: ConnectionArg) -> Result<()> {
    let connection = engine
        .resolve_connection(args.connection.map(ConnectionId))
        .await?;
    out.progress(&format!(
        "Testing connection {} ({})…",
        connection.id,
        shown(&connection.base_url)
    ));
    let test = engine.retest_connection(connection.id).await?;
    out.print(&test, || {
        let mut text = format!(
            "Connection {} works: {} organizations, scopes: {}.",
            connection.id,
            test.organizations,
            shown(&test.granted_scopes.join(" "))
        );
        for warning in &test.warnings {
            text.push_str(&format!("\nwarning: {warning}"));
        }
        text
    })?;
    Ok(())
}

pub async fn disconnect(engine: &Engine, out: &Output, args: ConnectionArg) -> Result<()> {
    let connection = engine
        .resolve_connection(args.connection.map(ConnectionId))
        .await?;
    let connection = engine.disconnect(connection.id).await?;
    out.print(&connection, || {
        format!(
            "Disconnected {} (connection {}). Its secret is deleted and its assets retired; mappings are kept for a reconnect.",
            shown(&connection.name),
            connection.id
        )
    })?;
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(flatten)]
    engine: fleetward_core::EngineStatus,
    connections: Vec<Connection>,
    companies: usize,
}

pub async fn status(engine: &Engine, out: &Output) -> Result<()> {
    let status = Status {
        engine: engine.status(),
        connections: engine.connections().await?,
        companies: engine.companies().await?.len(),
    };
    out.print(&status, || {
        let e = &status.engine;
        let mut text = format!(
            "Fleetward {}\nData folder:   {}\nEncryption:    SQLCipher {} (SQLite {})\nSchedules:     {}\nCompanies:     {}\n",
            e.version,
            e.data_dir,
            e.self_check.sqlcipher_version.as_deref().unwrap_or("missing"),
            e.self_check.sqlite_version,
            if e.schedules_paused { "paused" } else { "active" },
            status.companies,
        );
        if status.connections.is_empty() {
            text.push_str("Connections:   none (run `fleetward-cli connect`)\n");
        }
        for c in &status.connections {
            text.push_str(&format!(
                "Connection {}:  {} {} client {} [{}]\n",
                c.id,
                shown(&c.name),
                shown(&c.base_url),
                shown(&c.client_id),
                if c.active { "active" } else { "disconnected" }
            ));
        }
        text
    })?;
    Ok(())
}

/// `orgs list` rows (SPEC §10), then the mapping's options.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgListRow {
    org_id: NinjaOrgId,
    name: String,
    state: MappingState,
    company_id: Option<CompanyId>,
    suggested_company_id: Option<CompanyId>,
    location_ids: Vec<NinjaLocationId>,
    include_non_agent: bool,
    dropped_field_groups: Vec<FieldGroup>,
    custom_fields: Vec<String>,
    sync_software: bool,
}

impl From<&OrganizationRow> for OrgListRow {
    fn from(row: &OrganizationRow) -> Self {
        OrgListRow {
            org_id: row.org_id,
            name: row.name.clone(),
            state: row.state,
            company_id: row.company_id,
            suggested_company_id: row.suggested_company_id,
            location_ids: row.location_ids.clone(),
            include_non_agent: row.include_non_agent,
            dropped_field_groups: row.dropped_field_groups.clone(),
            custom_fields: row.custom_fields.clone(),
            sync_software: row.sync_software,
        }
    }
}

/// What a mapping keeps beyond the default fields, when it differs: "  [software; …]".
fn field_note(o: &OrganizationRow) -> String {
    let mut parts = Vec::new();
    if o.sync_software {
        parts.push("software".to_string());
    }
    if !o.custom_fields.is_empty() {
        let names: Vec<String> = o
            .custom_fields
            .iter()
            .map(|n| shown(n).into_owned())
            .collect();
        parts.push(format!("custom fields: {}", names.join(", ")));
    }
    if !o.dropped_field_groups.is_empty() {
        let groups: Vec<&str> = o.dropped_field_groups.iter().map(|g| g.as_str()).collect();
        parts.push(format!("leaves out: {}", groups.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("  [{}]", parts.join("; "))
    }
}

fn org_lines(rows: &[OrganizationRow]) -> String {
    rows.iter()
        .map(|o| {
            let target = match (o.state, &o.company_name, &o.suggested_company_name) {
                (MappingState::Mapped, Some(name), _) => format!(
                    "→ {} ({})",
                    shown(name),
                    o.company_id.map(|c| c.0).unwrap_or_default()
                ),
                (MappingState::Ignored, _, _) => "ignored".to_string(),
                (_, _, Some(suggestion)) => {
                    format!("pending, suggested: {}", shown(suggestion))
                }
                _ => "pending".to_string(),
            };
            format!(
                "{:>8}  {}  {}{}{}",
                o.org_id.0,
                shown(o.name.trim()),
                target,
                if o.gone { "  [gone from NinjaOne]" } else { "" },
                field_note(o)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn orgs(engine: &Engine, out: &Output, command: OrgsCommand) -> Result<()> {
    match command {
        OrgsCommand::List(args) => {
            let connection = engine
                .resolve_connection(args.connection.map(ConnectionId))
                .await?;
            out.progress("Discovering organizations in NinjaOne…");
            let summary = engine.discover_organizations(connection.id).await?;
            let rows = engine.organizations(connection.id).await?;
            let list: Vec<OrgListRow> = rows.iter().map(OrgListRow::from).collect();
            out.print(&list, || {
                let mut text = org_lines(&rows);
                if summary.truncated {
                    text.push_str("\nwarning: NinjaOne has more than 5,000 organizations; only the first 5,000 are listed.");
                }
                text
            })?;
        }
        OrgsCommand::AcceptSuggestions(args) => {
            let connection = engine
                .resolve_connection(args.connection.map(ConnectionId))
                .await?;
            let accepted = engine.accept_suggestions(connection.id).await?;
            let list: Vec<OrgListRow> = accepted.iter().map(OrgListRow::from).collect();
            out.print(&list, || {
                if accepted.is_empty() {
                    "No pending organization has a company with the same name.".into()
                } else {
                    format!(
                        "Mapped {} organizations:\n{}",
                        accepted.len(),
                        org_lines(&accepted)
                    )
                }
            })?;
        }
        OrgsCommand::Map(args) => map(engine, out, args).await?,
    }
    Ok(())
}

async fn map(engine: &Engine, out: &Output, args: MapArgs) -> Result<()> {
    let connection = engine
        .resolve_connection(args.connection.connection.map(ConnectionId))
        .await?;
    let choice = match (args.company, args.create, args.ignore) {
        (Some(company), _, _) => MappingChoice::UseExisting {
            company_id: CompanyId(company),
        },
        (None, true, _) => MappingChoice::CreateNew,
        _ => MappingChoice::Ignore,
    };
    let options = MappingOptions {
        location_ids: (!args.locations.is_empty()).then(|| {
            args.locations
                .iter()
                .copied()
                .map(NinjaLocationId)
                .collect()
        }),
        include_non_agent: args.non_agent.then_some(true),
        drop_field_groups: args.drop_fields.as_deref().map(parse_groups).transpose()?,
        keep_field_groups: args.keep_fields.as_deref().map(parse_groups).transpose()?,
        custom_fields: if args.no_custom_fields {
            Some(Vec::new())
        } else {
            (!args.custom_fields.is_empty()).then_some(args.custom_fields)
        },
        sync_software: match (args.software, args.no_software) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
    };
    let row = engine
        .map_organization(connection.id, NinjaOrgId(args.org_id), &choice, &options)
        .await?;
    out.print(&OrgListRow::from(&row), || {
        org_lines(std::slice::from_ref(&row))
    })?;
    Ok(())
}

/// `companies list` rows (SPEC §10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CompanyListRow {
    id: CompanyId,
    name: String,
    compliance_tenant_id: Option<String>,
}

impl From<&Company> for CompanyListRow {
    fn from(c: &Company) -> Self {
        CompanyListRow {
            id: c.id,
            name: c.name.clone(),
            compliance_tenant_id: c.compliance_tenant_id.as_ref().map(|t| t.to_string()),
        }
    }
}

fn company_line(c: &Company) -> String {
    format!(
        "{:>6}  {}{}",
        c.id.0,
        shown(&c.name),
        c.compliance_tenant_id
            .as_ref()
            .map(|t| format!("  (compliance tenant {t})"))
            .unwrap_or_default()
    )
}

pub async fn companies(engine: &Engine, out: &Output, command: CompaniesCommand) -> Result<()> {
    match command {
        CompaniesCommand::Add { name } => {
            let company = engine.add_company(&name).await?;
            out.print(&CompanyListRow::from(&company), || {
                format!("Added company {}: {}", company.id, shown(&company.name))
            })?;
        }
        CompaniesCommand::List => {
            let companies = engine.companies().await?;
            let rows: Vec<CompanyListRow> = companies.iter().map(CompanyListRow::from).collect();
            out.print(&rows, || {
                if companies.is_empty() {
                    "No companies yet. Add one with `fleetward-cli companies add NAME`.".into()
                } else {
                    companies
                        .iter()
                        .map(company_line)
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            })?;
        }
        CompaniesCommand::Promote { company_id } => {
            let company = engine.promote_company(CompanyId(company_id)).await?;
            out.print(&CompanyListRow::from(&company), || {
                format!(
                    "Company {} is a compliance tenant: {}",
                    company.id,
                    company_line(&company).trim()
                )
            })?;
        }
    }
    Ok(())
}

pub async fn sync(engine: &Engine, out: &Output, args: SyncArgs) -> Result<()> {
    let progress = crate::progress::SyncProgress::start(engine);
    let run = engine
        .sync(args.company.map(CompanyId), Trigger::Manual, args.preview)
        .await;
    progress.finish();
    let run = run?;
    out.print(&run, || sync_text(&run))?;
    match run.status {
        RunStatus::Succeeded => Ok(()),
        RunStatus::Cancelled => Err(Failure::Cancelled),
        status => Err(Failure::Engine(run_failure(
            status,
            run.failure_kind,
            format!(
                "{}{}",
                fleetward_core::sync::run::partial_message(&run.companies),
                run.run_id
                    .map(|id| format!(" This is run {id} (`fleetward-cli runs list`)."))
                    .unwrap_or_default()
            ),
        ))),
    }
}

fn sync_text(run: &SyncRun) -> String {
    let mut text = match (run.preview, run.run_id) {
        (true, _) => "Preview: nothing was written. A sync would do this:\n".to_string(),
        (false, Some(id)) => format!("Sync run {id}: {}\n", run.status.as_str()),
        (false, None) => String::new(),
    };
    for c in &run.companies {
        let n = &c.counts;
        match &c.error {
            Some(err) => text.push_str(&format!(
                "company {:>5}  organization {:>6}  failed: {}\n",
                c.company_id.0,
                c.org_id.0,
                shown(err)
            )),
            None => text.push_str(&format!(
                "company {:>5}  organization {:>6}  {} created, {} updated, {} unchanged, {} stale, {} retired duplicates, skipped {} pending and {} rejected{}{}\n",
                c.company_id.0,
                c.org_id.0,
                n.created,
                n.updated,
                n.unchanged,
                n.stale,
                n.retired_duplicates,
                n.skipped_pending,
                n.skipped_rejected,
                if c.truncated { " (over 10,000 devices: only the first 10,000 synced)" } else { "" },
                if n.unreadable > 0 {
                    format!("; {} devices could not be read whole, their assets kept as they were", n.unreadable)
                } else {
                    String::new()
                }
            )),
        }
    }
    text.push_str(&format!("{} requests to NinjaOne", run.requests));
    if run.malformed_items > 0 {
        text.push_str(&format!(
            "; {} items NinjaOne sent did not fit the expected shape and were skipped",
            run.malformed_items
        ));
    }
    text
}

/// `assets list` rows (SPEC §10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssetListRow<'a> {
    id: AssetId,
    company_id: CompanyId,
    source: AssetSource,
    external_id: &'a str,
    uid: Option<&'a str>,
    name: Option<&'a str>,
    serial_number: Option<&'a str>,
    node_class: Option<&'a str>,
    status: AssetStatus,
    retired_reason: Option<&'a str>,
}

impl<'a> From<&'a Asset> for AssetListRow<'a> {
    fn from(a: &'a Asset) -> Self {
        AssetListRow {
            id: a.id,
            company_id: a.company_id,
            source: a.source,
            external_id: &a.external_id,
            uid: a.uid.as_deref(),
            name: a.name.as_deref(),
            serial_number: a.serial_number.as_deref(),
            node_class: a.node_class.as_deref(),
            status: a.status,
            retired_reason: a.retired_reason.as_deref(),
        }
    }
}

pub async fn assets(engine: &Engine, out: &Output, command: AssetsCommand) -> Result<()> {
    match command {
        AssetsCommand::List { company, status } => {
            let status = match status {
                StatusArg::Active => Some(AssetStatus::Active),
                StatusArg::Stale => Some(AssetStatus::Stale),
                StatusArg::Retired => Some(AssetStatus::Retired),
                StatusArg::All => None,
            };
            let assets = engine.assets(company.map(CompanyId), status).await?;
            let rows: Vec<AssetListRow> = assets.iter().map(AssetListRow::from).collect();
            out.print(&rows, || {
                if assets.is_empty() {
                    return "No assets. Map organizations, then run `fleetward-cli sync`.".into();
                }
                assets
                    .iter()
                    .map(|a| {
                        format!(
                            "{:>7}  company {:>5}  {:<8}  {:<7}  {}  {}{}",
                            a.id.0,
                            a.company_id.0,
                            a.source.as_str(),
                            a.status.as_str(),
                            shown(a.name.as_deref().unwrap_or("(no name)")),
                            shown(a.serial_number.as_deref().unwrap_or("")),
                            a.retired_reason
                                .as_deref()
                                .map(|r| format!("  [{}]", shown(r)))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        AssetsCommand::Import { source, file } => {
            let source = match source {
                SourceArg::Level => AssetSource::Level,
                SourceArg::Intune => AssetSource::Intune,
                SourceArg::Entra => AssetSource::Entra,
            };
            let bytes = crate::input::read(
                Some(&file),
                fleetward_core::assets::import::MAX_FILE_BYTES,
                "The import file",
            )?;
            let report = engine.import_assets(source, &bytes).await?;
            out.print(&report, || {
                let mut text = format!(
                    "Imported {} {} assets ({} new, {} updated); {} retired as duplicates of better copies.",
                    report.imported,
                    report.source.as_str(),
                    report.created,
                    report.updated,
                    report.retired_duplicates
                );
                for e in &report.errors {
                    text.push_str(&format!("\nline {}: {}", e.line, shown(&e.message)));
                }
                text
            })?;
            if !report.errors.is_empty() {
                return Err(Failure::Engine(Error::InvalidInput(format!(
                    "{} lines were not imported; the good ones were kept.",
                    report.errors.len()
                ))));
            }
        }
        AssetsCommand::Show { asset_id } => {
            let detail = engine.asset(AssetId(asset_id)).await?;
            out.print(&detail, || {
                let a = &detail.asset;
                let mut text = format!(
                    "Asset {} ({}, {}) of company {}: {}\n",
                    a.id,
                    a.source.as_str(),
                    a.status.as_str(),
                    a.company_id,
                    shown(a.name.as_deref().unwrap_or("(no name)"))
                );
                for (field, value) in &detail.fields {
                    text.push_str(&format!("  {field:<32} {}\n", shown(value)));
                }
                if !detail.history.is_empty() {
                    text.push_str("History (newest first):\n");
                }
                for change in &detail.history {
                    text.push_str(&format!(
                        "  {}  {}: {} → {}\n",
                        fleetward_core::time::format(change.at),
                        change.field,
                        shown(change.old_value.as_deref().unwrap_or("—")),
                        shown(change.new_value.as_deref().unwrap_or("—"))
                    ));
                }
                text
            })?;
        }
    }
    Ok(())
}

pub async fn sweep(engine: &Engine, out: &Output, args: CompanyArg) -> Result<()> {
    let progress = crate::progress::SyncProgress::start(engine);
    let run = engine
        .sweep(args.company.map(CompanyId), Trigger::Manual)
        .await;
    progress.finish();
    let run = run?;
    out.print(&run, || sweep_text(&run))?;
    match run.status {
        RunStatus::Succeeded => Ok(()),
        status => Err(Failure::Engine(run_failure(
            status,
            run.failure_kind,
            format!(
                "{} of {} compliance tenants could not be swept; the reasons are above and in run {} \
                 (`fleetward-cli runs list`).",
                run.companies.iter().filter(|c| c.failed()).count(),
                run.companies.iter().filter(|c| !c.busy).count(),
                run.run_id
            ),
        ))),
    }
}

fn sweep_text(run: &SweepRun) -> String {
    let mut text = format!(
        "Sweep run {}: {} ({} requests)\n",
        run.run_id,
        run.status.as_str(),
        run.requests
    );
    for c in &run.companies {
        match &c.error {
            Some(error) => text.push_str(&format!(
                "company {}: failed: {}\n",
                c.company_id,
                shown(error)
            )),
            None => {
                let signals = c
                    .signals
                    .iter()
                    .map(|s| format!("{} {}", s.signal, s.status))
                    .collect::<Vec<_>>()
                    .join(", ");
                let dry = if c.dry_run {
                    " (first sweep: dry run, no tickets)"
                } else {
                    ""
                };
                text.push_str(&format!("company {}: {signals}{dry}\n", c.company_id));
            }
        }
    }
    let by_report = run
        .requests_by_report
        .iter()
        .map(|(report, n)| format!("{report} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if !by_report.is_empty() {
        text.push_str(&format!("requests by report: {by_report}\n"));
    }
    text
}

/// `signals` rows (SPEC §10): `companyId, complianceTenantId, signal, status, collectedAt,
/// expiresAt, controls[], metadata`, and whether the evidence has expired.
pub async fn signals(engine: &Engine, out: &Output, args: CompanyArg) -> Result<()> {
    let rows = engine.signals(args.company.map(CompanyId)).await?;
    out.print(&rows, || signals_text(&rows))?;
    Ok(())
}

fn signals_text(rows: &[SignalRow]) -> String {
    if rows.is_empty() {
        return "No signals yet. Promote a company (`fleetward-cli companies promote COMPANY_ID`), then run \
                `fleetward-cli sweep`."
            .into();
    }
    rows.iter()
        .map(|r| {
            format!(
                "company {:<5} {:<18} {:<8} {}  {}{}",
                r.company_id.0,
                r.signal.as_str(),
                r.status.as_str(),
                fleetward_core::time::format(r.collected_at),
                shown(&r.metadata.summary()),
                if r.expired {
                    format!(
                        "  EXPIRED since {}",
                        fleetward_core::time::format(r.expires_at)
                    )
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `tickets list` row (SPEC §10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketListRow<'a> {
    id: i64,
    company_id: i64,
    signal: &'a str,
    priority: &'a str,
    status: &'a str,
}

pub async fn tickets(engine: &Engine, out: &Output, command: TicketsCommand) -> Result<()> {
    match command {
        TicketsCommand::List { status } => {
            let status = match status {
                TicketStatusArg::Open => Some(TicketStatus::Open),
                TicketStatusArg::Closed => Some(TicketStatus::Closed),
                TicketStatusArg::All => None,
            };
            let tickets = engine.tickets(status).await?;
            let rows: Vec<TicketListRow> = tickets
                .iter()
                .map(|t| TicketListRow {
                    id: t.id.0,
                    company_id: t.company_id.0,
                    signal: t.signal.as_str(),
                    priority: t.priority.as_str(),
                    status: t.status.as_str(),
                })
                .collect();
            out.print(&rows, || tickets_text(&tickets))?;
        }
        TicketsCommand::Export(args) => {
            let text = engine.export_tickets(None, format(args.format)).await?;
            deliver(out, &args, &text)?;
        }
    }
    Ok(())
}

fn tickets_text(tickets: &[Ticket]) -> String {
    if tickets.is_empty() {
        return "No tickets.".into();
    }
    tickets
        .iter()
        .map(|t| {
            format!(
                "{:>5}  {:<6}  {:<6}  company {:<5} {:<18} {}  {}",
                t.id.0,
                t.status.as_str(),
                t.priority.as_str(),
                t.company_id.0,
                t.signal.as_str(),
                fleetward_core::time::format(t.updated_at),
                shown(&t.title)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn evidence(engine: &Engine, out: &Output, command: EvidenceCommand) -> Result<()> {
    let EvidenceCommand::Export { export, company } = command;
    let text = engine
        .export_evidence(company.map(CompanyId), format(export.format))
        .await?;
    deliver(out, &export, &text)
}

fn format(arg: FormatArg) -> ExportFormat {
    match arg {
        FormatArg::Csv => ExportFormat::Csv,
        FormatArg::Json => ExportFormat::Json,
    }
}

/// An export goes to `--out FILE`, or as it is to stdout (CSV stays CSV with `--json`).
fn deliver(out: &Output, args: &ExportArgs, text: &str) -> Result<()> {
    match &args.out {
        Some(path) => {
            crate::export_file::write(path, text)?;
            out.progress(&format!(
                "Wrote {} bytes to {}.",
                text.len(),
                path.display()
            ));
            Ok(())
        }
        None => Ok(out.raw(text)?),
    }
}

/// `runs list` rows (SPEC §10): the run, and for syncs its counts.
pub async fn runs(engine: &Engine, out: &Output) -> Result<()> {
    let runs = engine.runs(200).await?;
    out.print(&runs, || {
        if runs.is_empty() {
            return "No runs yet. Run `fleetward-cli sync`.".into();
        }
        runs.iter()
            .map(|r| {
                format!(
                    "{:>6}  {:<5}  {:<8}  {:<10}  {:<9}  {}  {} requests{}",
                    r.id.0,
                    r.kind.as_str(),
                    r.trigger.as_str(),
                    shown(&r.scope),
                    r.status.as_str(),
                    fleetward_core::time::format(r.started_at),
                    r.requests,
                    r.counts
                        .map(|c| format!(
                            ", {} created, {} updated, {} unchanged, {} stale",
                            c.created, c.updated, c.unchanged, c.stale
                        ))
                        .or_else(|| r.sweep.as_ref().map(|s| format!(
                            ", {} tenants, {} signals, tickets {} opened {} updated {} closed",
                            s.companies,
                            s.signals,
                            s.tickets_opened,
                            s.tickets_updated,
                            s.tickets_closed
                        )))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}

pub async fn audit(engine: &Engine, out: &Output, company: Option<i64>) -> Result<()> {
    let events = engine.audit_events(company.map(CompanyId)).await?;
    out.print(&events, || {
        events
            .iter()
            .map(|e| {
                format!(
                    "{}  {:<20}  {:<26}  {}",
                    fleetward_core::time::format(e.at),
                    shown(&e.scope),
                    e.action.as_str(),
                    shown(&e.detail)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}

/// The headless demo: the same first steps as in the app, against the built-in simulator,
/// in a data folder of its own (see `main`).
pub async fn demo(engine: &Engine, out: &Output) -> Result<()> {
    out.progress("Running Fleetward's headless demo against the built-in NinjaOne simulator.");
    status(engine, out).await?;
    let simulator = ninjaone_sim::demo::start(0).await.map_err(|e| {
        Error::Internal(format!(
            "The demo NinjaOne simulator could not start on 127.0.0.1: {e}. Try again."
        ))
    })?;
    out.say(&format!(
        "\n{}: simulated NinjaOne at {}",
        ninjaone_sim::demo::NAME,
        simulator.base_url()
    ))?;
    let draft = ConnectionDraft {
        name: Some(ninjaone_sim::demo::NAME.into()),
        region: None,
        base_url: Some(simulator.base_url()),
        client_id: ninjaone_sim::demo::CLIENT_ID.into(),
        client_secret: SecretString::from(ninjaone_sim::demo::CLIENT_SECRET),
    };
    let saved = engine.save_connection(&draft).await?;
    out.say(&format!(
        "Test connection: {} organizations, scopes: {}\nSaved as connection {}; {} organizations discovered.",
        saved.test.organizations,
        saved.test.granted_scopes.join(" "),
        saved.connection.id,
        saved.discovery.organizations
    ))?;
    let connection = saved.connection.id;
    let rows = engine.organizations(connection).await?;
    for row in rows.iter().take(2) {
        engine
            .map_organization(
                connection,
                row.org_id,
                &MappingChoice::CreateNew,
                &MappingOptions::default(),
            )
            .await?;
    }
    out.say("Mapped the first two organizations to new companies:")?;
    out.say(&org_lines(&engine.organizations(connection).await?))?;
    let run = engine.sync_all(Trigger::Manual).await?;
    out.say(&format!(
        "\nSynced their devices into the companies' assets:\n{}",
        sync_text(&run)
    ))?;
    let listed: Vec<OrgListRow> = engine
        .organizations(connection)
        .await?
        .iter()
        .map(OrgListRow::from)
        .collect();
    out.print(&listed, String::new)?;
    simulator.shutdown().await;
    Ok(())
}

const WEBHOOK_SECRET_ENV: &str = "FLEETWARD_WEBHOOK_SECRET";

fn counts_text(c: &fleetward_core::incidents::IngestCounts) -> String {
    format!(
        "{} activities: {} opened, {} reopened, {} repeats, {} resolved, {} ignored by rules, {} informational, \
         {} duplicates, {} of unmapped and {} of ignored organizations dropped, {} not yet placed, {} tickets",
        c.received,
        c.opened,
        c.reopened,
        c.repeated,
        c.resolved,
        c.ignored,
        c.informational,
        c.duplicates,
        c.dropped_unmapped,
        c.dropped_ignored,
        c.unplaced,
        c.tickets
    )
}

/// `activities poll`: one poll of every active connection now.
pub async fn poll(engine: &Engine, out: &Output) -> Result<()> {
    out.progress("Polling NinjaOne's activities…");
    let run = engine.poll_activities(Trigger::Manual).await?;
    out.print(&run, || {
        let mut text = format!("Poll run {}: {}\n", run.run_id, run.status.as_str());
        for c in &run.connections {
            match &c.error {
                Some(err) => text.push_str(&format!("connection {}: failed: {}\n", c.connection_id, shown(err))),
                None => text.push_str(&format!(
                    "connection {}{}: {}; {} seeded from active alerts, {} resolved by reconciliation\n",
                    c.connection_id,
                    if c.first_poll { " (first poll: history not replayed)" } else { "" },
                    counts_text(&c.counts),
                    c.seeded,
                    c.reconciled
                )),
            }
        }
        text.push_str(&format!("{} requests to NinjaOne", run.requests));
        text
    })?;
    match run.status {
        RunStatus::Succeeded => Ok(()),
        status => Err(Failure::Engine(run_failure(
            status,
            run.failure_kind,
            format!(
                "{} of {} connections could not be polled; the reasons are above and in run {} (`fleetward-cli runs list`).",
                run.connections.iter().filter(|c| c.error.is_some()).count(),
                run.connections.len(),
                run.run_id
            ),
        ))),
    }
}

/// The error a run that did not succeed ends the command with: when everything failed the
/// same way (NinjaOne unreachable, credentials refused, throttled), that kind and its exit
/// code (SPEC §10); otherwise "anything else".
fn run_failure(status: RunStatus, kind: Option<ErrorKind>, message: String) -> Error {
    match (status, kind) {
        (RunStatus::Failed, Some(kind)) => Error::RunFailed { kind, message },
        _ => Error::Internal(message),
    }
}

/// `webhook ingest [FILE]`: one payload, processed now.
pub async fn webhook_ingest(
    engine: &Engine,
    out: &Output,
    file: Option<std::path::PathBuf>,
) -> Result<()> {
    let bytes = crate::input::read(
        file.as_deref(),
        fleetward_core::incidents::payload::MAX_FILE_BYTES,
        "The webhook payload",
    )?;
    let report = engine.ingest_webhook(&bytes).await?;
    out.print(&report, || counts_text(&report.counts))?;
    Ok(())
}

/// `webhook serve`: the receiver until Ctrl-C.
pub async fn webhook_serve(
    engine: &std::sync::Arc<Engine>,
    out: &Output,
    port: u16,
    bind: &str,
) -> Result<()> {
    let ip: std::net::IpAddr = bind.trim().parse().map_err(|_| {
        Error::InvalidInput(format!(
            "--bind {bind:?} is not an IP address. Use 127.0.0.1 (this computer only) or an address of this computer."
        ))
    })?;
    let secret = match std::env::var(WEBHOOK_SECRET_ENV).ok().filter(|s| !s.trim().is_empty()) {
        Some(secret) => SecretString::from(secret),
        None => engine.webhook_secret().await?.ok_or_else(|| {
            Error::InvalidInput(format!(
                "No webhook secret is set. Set {WEBHOOK_SECRET_ENV} (32 characters or more, e.g. from \
                 `openssl rand -hex 32`), or generate one in the app under Settings → Webhook receiver."
            ))
        })?,
    };
    if let Some(refusal) = fleetward_receiver::secret_refusal(ip, &secret) {
        return Err(Error::InvalidInput(refusal).into());
    }
    let settings = engine.webhook_settings().await?;
    let mut config =
        fleetward_receiver::ReceiverConfig::new(std::net::SocketAddr::new(ip, port), secret);
    config.require_signature = settings.require_signature;
    config.clock = engine.clock();
    let mut signals = crate::stop::StopSignals::listen().map_err(|e| {
        Error::Internal(format!(
            "The receiver cannot listen for Ctrl-C and SIGTERM ({e}), so it could not stop cleanly; it did not start."
        ))
    })?;
    let left = engine.journaled_activities().await?;
    let receiver = fleetward_receiver::Receiver::start(
        config,
        std::sync::Arc::new(fleetward_receiver::EngineSink(engine.clone())),
    )
    .await
    .map_err(|e| {
        Error::InvalidInput(format!(
            "The receiver cannot listen on {ip}:{port} ({e}). Choose another --port, or stop what uses it."
        ))
    })?;
    out.progress(&format!(
        "Receiving NinjaOne webhooks at {} (header X-Fleetward-Secret or Authorization: Bearer). Ctrl-C or SIGTERM stops, \
         after storing everything accepted.",
        receiver.url()
    ));
    if left > 0 {
        out.progress(&format!(
            "Storing {left} activities accepted before the last stop first."
        ));
    }
    let signal = signals.next().await;
    out.progress(&format!(
        "{signal}: no longer accepting; storing what was accepted (press Ctrl-C again to leave it for the next start)…"
    ));
    tokio::select! {
        report = receiver.stop() => {
            let left = match report.left {
                Some(0) => String::new(),
                Some(n) => format!(
                    "; {n} could not be stored yet and stay journaled until the receiver next starts"
                ),
                None => "; the store could not say whether any are left for the next start".into(),
            };
            out.progress(&format!(
                "Stopped receiving webhooks: stored {} accepted activities while stopping{left}.",
                report.processed
            ));
        }
        // What was answered `202` is journaled in the store: stopping at once loses nothing.
        _ = signals.next() => out.progress(
            "Stopped receiving webhooks at once; accepted activities not yet stored stay journaled \
             and are stored when the receiver next starts.",
        ),
    }
    Ok(())
}

/// `incidents list` rows (SPEC §10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IncidentRow<'a> {
    id: fleetward_core::incidents::IncidentId,
    key: &'a str,
    status: fleetward_core::incidents::IncidentStatus,
    severity: fleetward_core::incidents::IncidentSeverity,
    count: u32,
    title: &'a str,
    first_seen: String,
    last_seen: String,
}

pub async fn incidents(engine: &Engine, out: &Output, status: IncidentStatusArg) -> Result<()> {
    use fleetward_core::incidents::StatusFilter;
    let filter = match status {
        IncidentStatusArg::Open => StatusFilter::Open,
        IncidentStatusArg::Resolved => StatusFilter::Resolved,
        IncidentStatusArg::All => StatusFilter::All,
    };
    let list = engine.incidents(filter).await?;
    let rows: Vec<IncidentRow> = list
        .iter()
        .map(|i| IncidentRow {
            id: i.id,
            key: &i.key,
            status: i.status,
            severity: i.severity,
            count: i.count,
            title: &i.title,
            first_seen: fleetward_core::time::format(i.first_seen),
            last_seen: fleetward_core::time::format(i.last_seen),
        })
        .collect();
    out.print(&rows, || {
        if list.is_empty() {
            return "No incidents. Polls run every 2 minutes in the app; `fleetward-cli activities poll` polls now.".into();
        }
        list.iter()
            .map(|i| {
                format!(
                    "{:>6}  {:<8}  {:<8}  x{:<4}  {}  {}{}",
                    i.id.0,
                    i.status.as_str(),
                    i.severity.as_str(),
                    i.count,
                    fleetward_core::time::format(i.last_seen),
                    shown(&i.title),
                    i.device_name
                        .as_deref()
                        .map(|d| format!("  [{}]", shown(d)))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}

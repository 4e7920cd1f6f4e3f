//! One function per command: parse what the user gave, call the engine, print the result.

use std::io::Read;

use fleetward_core::companies::Company;
use fleetward_core::connection::{Connection, ConnectionDraft, Region};
use fleetward_core::ids::{CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId};
use fleetward_core::organizations::{MappingChoice, MappingOptions, MappingState, OrganizationRow};
use fleetward_core::{Engine, Error};
use ninjaone::secrecy::SecretString;
use serde::Serialize;

use crate::output::{shown, Output};
use crate::{
    CompaniesCommand, ConnectArgs, ConnectionArg, Failure, MapArgs, OrgsCommand, RegionArg,
};

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

/// `orgs list` rows (SPEC §10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgListRow {
    org_id: NinjaOrgId,
    name: String,
    state: MappingState,
    company_id: Option<CompanyId>,
    suggested_company_id: Option<CompanyId>,
}

impl From<&OrganizationRow> for OrgListRow {
    fn from(row: &OrganizationRow) -> Self {
        OrgListRow {
            org_id: row.org_id,
            name: row.name.clone(),
            state: row.state,
            company_id: row.company_id,
            suggested_company_id: row.suggested_company_id,
        }
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
                "{:>8}  {}  {}{}",
                o.org_id.0,
                shown(o.name.trim()),
                target,
                if o.gone { "  [gone from NinjaOne]" } else { "" }
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

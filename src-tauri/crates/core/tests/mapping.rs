//! Connection and organization mapping through the engine, against the simulator over
//! loopback and a real encrypted store in a temp folder.

use std::sync::Arc;

use fleetward_core::audit::AuditAction;
use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::CompanyId;
use fleetward_core::organizations::{MappingChoice, MappingOptions, MappingState};
use fleetward_core::{Engine, ErrorKind};
use ninjaone_sim::{SimConfig, Simulator};

struct World {
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    sim: Simulator,
}

async fn world(config: SimConfig) -> World {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(fleetward_core::testing::config(dir.path().join("data")))
        .await
        .unwrap();
    let sim = Simulator::start(config).await.unwrap();
    World {
        _dir: dir,
        engine,
        sim,
    }
}

fn draft(sim: &Simulator, secret: &str) -> ConnectionDraft {
    ConnectionDraft {
        name: Some("Test tenant".into()),
        region: None,
        base_url: Some(sim.base_url()),
        client_id: "sim-client".into(),
        client_secret: secret.into(),
    }
}

async fn connected(config: SimConfig) -> (World, fleetward_core::ids::ConnectionId) {
    let w = world(config).await;
    let saved = w
        .engine
        .save_connection(&draft(&w.sim, "sim-secret"))
        .await
        .unwrap();
    assert!(
        saved.discovery.organizations > 0 || saved.test.organizations == 0,
        "save discovers the organizations it found"
    );
    (w, saved.connection.id)
}

/// A NinjaOne client of the simulated tenant, to read what the engine is checked against.
fn sim_client(sim: &Simulator) -> ninjaone::Client {
    ninjaone::Client::new(
        ninjaone::BaseUrl::custom(&sim.base_url()).unwrap(),
        ninjaone::Credentials::new("sim-client", "sim-secret".into()),
        ninjaone::ClientConfig::default(),
    )
    .unwrap()
}

/// "Create new" for one organization, by its NinjaOne id.
async fn create_new(
    w: &World,
    id: fleetward_core::ids::ConnectionId,
    org: i64,
) -> fleetward_core::organizations::OrganizationRow {
    w.engine
        .map_organization(
            id,
            fleetward_core::ids::NinjaOrgId(org),
            &MappingChoice::CreateNew,
            &MappingOptions::default(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn test_reports_organizations_and_warns_about_excess_scopes() {
    let w = world(SimConfig {
        orgs: 6,
        granted_scopes: "monitoring management".into(),
        ..SimConfig::default()
    })
    .await;
    let test = w
        .engine
        .test_connection(&draft(&w.sim, "sim-secret"))
        .await
        .unwrap();
    assert_eq!(test.organizations, 6);
    assert_eq!(test.granted_scopes, vec!["monitoring", "management"]);
    assert_eq!(test.warnings.len(), 1);
    assert!(test.warnings[0].contains("management"));
    assert!(
        w.engine.connections().await.unwrap().is_empty(),
        "testing saves nothing"
    );
}

#[tokio::test]
async fn a_failing_test_saves_nothing() {
    let w = world(SimConfig::default()).await;
    let err = w
        .engine
        .save_connection(&draft(&w.sim, "wrong"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(w.engine.connections().await.unwrap().is_empty());
}

#[tokio::test]
async fn zero_visible_organizations_fails_the_test_with_the_fix() {
    let w = world(SimConfig {
        orgs: 0,
        ..SimConfig::default()
    })
    .await;
    let err = w
        .engine
        .test_connection(&draft(&w.sim, "sim-secret"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert!(err.to_string().contains("no organizations"), "{err}");
}

#[tokio::test]
async fn discovery_lists_every_organization_as_pending_with_device_counts() {
    let (w, id) = connected(SimConfig {
        orgs: 4,
        devices_per_org: 6,
        ..SimConfig::default()
    })
    .await;
    let rows = w.engine.organizations(id).await.unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|r| r.state == MappingState::Pending && r.company_id.is_none()));
    assert_eq!(
        rows.iter().map(|r| r.device_count.unwrap()).sum::<u32>(),
        24
    );
}

#[tokio::test]
async fn suggestions_match_names_ignoring_case_surrounding_space_and_unicode_form() {
    let (w, id) = connected(SimConfig {
        orgs: 3,
        ..SimConfig::default()
    })
    .await;
    let org = w.sim.control().add_organization("  Zoe\u{0308}'s Café  ");
    let other = w.sim.control().add_organization("Northwind Traders");
    w.engine.discover_organizations(id).await.unwrap();
    let zoe = w.engine.add_company("ZOË'S CAFÉ").await.unwrap();
    w.engine.add_company("Northwind  Traders").await.unwrap();
    let rows = w.engine.organizations(id).await.unwrap();
    let row = |org_id: i64| rows.iter().find(|r| r.org_id.0 == org_id).unwrap().clone();
    assert_eq!(row(org).suggested_company_id, Some(zoe.id));
    assert_eq!(
        row(other).suggested_company_id,
        None,
        "inner spacing differs: no suggestion"
    );

    let accepted = w.engine.accept_suggestions(id).await.unwrap();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].company_id, Some(zoe.id));
    assert_eq!(accepted[0].state, MappingState::Mapped);
}

#[tokio::test]
async fn create_new_reuses_a_company_with_the_same_name() {
    let (w, id) = connected(SimConfig::default()).await;
    let org = w.sim.control().add_organization("Contoso");
    let twin = w.sim.control().add_organization(" contoso ");
    w.engine.discover_organizations(id).await.unwrap();
    let first = create_new(&w, id, org).await;
    let second = create_new(&w, id, twin).await;
    assert_eq!(first.company_id, second.company_id);
    let contosos: Vec<_> = w
        .engine
        .companies()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.name.eq_ignore_ascii_case("contoso"))
        .collect();
    assert_eq!(contosos.len(), 1);
    assert_eq!(
        contosos[0].mapped_organizations, 2,
        "a company may have several organizations"
    );
}

#[tokio::test]
async fn ignore_persists_and_gone_organizations_are_flagged_not_deleted() {
    let (w, id) = connected(SimConfig {
        orgs: 3,
        ..SimConfig::default()
    })
    .await;
    let rows = w.engine.organizations(id).await.unwrap();
    let ignored = rows[0].org_id;
    let vanishing = rows[1].org_id;
    w.engine
        .map_organization(
            id,
            ignored,
            &MappingChoice::Ignore,
            &MappingOptions::default(),
        )
        .await
        .unwrap();
    w.sim.control().remove_organization(vanishing.0);
    let summary = w.engine.discover_organizations(id).await.unwrap();
    assert_eq!(summary.gone_organizations, 1);
    assert_eq!(summary.new_organizations, 0);
    let rows = w.engine.organizations(id).await.unwrap();
    assert_eq!(rows.len(), 3, "nothing is deleted");
    let find = |org| rows.iter().find(|r| r.org_id == org).unwrap();
    assert_eq!(
        find(ignored).state,
        MappingState::Ignored,
        "ignore survives rediscovery"
    );
    assert!(find(vanishing).gone);
}

#[tokio::test]
async fn location_restriction_and_non_agent_toggle_are_kept() {
    let (w, id) = connected(SimConfig::default()).await;
    let company = w.engine.add_company("Fabrikam").await.unwrap();
    let mut with_locations = None;
    for row in w.engine.organizations(id).await.unwrap() {
        let ids: Vec<i64> = sim_client(&w.sim)
            .organization_locations(row.org_id.0)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|l| l.id)
            .collect();
        if ids.len() >= 2 {
            with_locations = Some((row.org_id, ids));
            break;
        }
    }
    let (org, mut locations) =
        with_locations.expect("the simulated tenant has an organization with two locations");
    locations.truncate(2);
    let options = |ids: &[i64]| MappingOptions {
        location_ids: Some(
            ids.iter()
                .rev()
                .copied()
                .map(fleetward_core::ids::NinjaLocationId)
                .collect(),
        ),
        include_non_agent: Some(true),
        ..MappingOptions::default()
    };
    let use_fabrikam = MappingChoice::UseExisting {
        company_id: company.id,
    };
    let err = w
        .engine
        .map_organization(id, org, &use_fabrikam, &options(&[locations[0], 99_999]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("no location 99999"), "{err}");
    let row = w
        .engine
        .map_organization(id, org, &use_fabrikam, &options(&locations))
        .await
        .unwrap();
    assert_eq!(
        row.location_ids.iter().map(|l| l.0).collect::<Vec<_>>(),
        locations,
        "kept, in order"
    );
    assert!(row.include_non_agent);
    let err = w
        .engine
        .map_organization(
            id,
            org,
            &MappingChoice::UseExisting {
                company_id: CompanyId(999),
            },
            &MappingOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn mappings_survive_disconnect_and_come_back_on_reconnect() {
    let (w, id) = connected(SimConfig::default()).await;
    let org = w.engine.organizations(id).await.unwrap()[0].org_id;
    w.engine
        .map_organization(
            id,
            org,
            &MappingChoice::CreateNew,
            &MappingOptions::default(),
        )
        .await
        .unwrap();
    let company = w
        .engine
        .organizations(id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.org_id == org)
        .unwrap()
        .company_id;
    w.engine.promote_company(company.unwrap()).await.unwrap();

    let disconnected = w.engine.disconnect(id).await.unwrap();
    assert!(!disconnected.active);
    let err = w.engine.discover_organizations(id).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "no secret is left to use"
    );
    assert!(err.to_string().contains("was disconnected"), "{err}");
    let audit = w.engine.audit_events(company).await.unwrap();
    assert!(audit.iter().any(
        |e| e.action == AuditAction::NinjaoneDisconnected && e.scope.starts_with("tenant:ct_")
    ));

    let again = w
        .engine
        .save_connection(&draft(&w.sim, "sim-secret"))
        .await
        .unwrap()
        .connection;
    assert_eq!(again.id, id, "the same tenant reuses its connection");
    let row = w
        .engine
        .organizations(id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.org_id == org)
        .unwrap();
    assert_eq!(row.state, MappingState::Mapped);
    assert_eq!(row.company_id, company);
}

#[tokio::test]
async fn the_client_secret_is_never_written_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let engine = Engine::start(fleetward_core::testing::config(data.clone()))
        .await
        .unwrap();
    let sim = Simulator::start(SimConfig {
        client_secret: "canary-secret-5be1f0".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let connection = engine
        .save_connection(&draft(&sim, "canary-secret-5be1f0"))
        .await
        .unwrap()
        .connection;
    assert!(!serde_json::to_string(&connection)
        .unwrap()
        .contains("canary-secret"));
    engine.discover_organizations(connection.id).await.unwrap();
    drop(engine);
    let needle = b"canary-secret-5be1f0";
    let mut folders = vec![data.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "secret found in {}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn more_than_5000_organizations_are_capped_and_marked_truncated() {
    let (w, id) = connected(SimConfig {
        orgs: 5_001,
        devices_per_org: 0,
        ..SimConfig::default()
    })
    .await;
    let summary = w.engine.discover_organizations(id).await.unwrap();
    assert!(summary.truncated);
    assert_eq!(summary.organizations, 5_000);
    assert_eq!(
        summary.gone_organizations, 0,
        "absence from a truncated list proves nothing"
    );
    assert!(
        w.engine
            .connection(id)
            .await
            .unwrap()
            .organizations_truncated
    );
    assert_eq!(w.engine.organizations(id).await.unwrap().len(), 5_000);
}

//! The shell's IPC on Tauri's mock runtime: the commands the UI calls, with the argument
//! names it sends (camelCase), answering the shapes the generated bindings promise, and
//! every failure as `{kind, message}`.

use std::sync::Arc;

use fleetward_lib::{invoke_handler, AppState, Started, UpdatesStatus};
use ninjaone_sim::{SimConfig, Simulator};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// The origin the app's pages are served from: Tauri's custom scheme, which WebView2 on
/// Windows reaches as `http://tauri.localhost` instead.
const APP_ORIGIN: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

struct Shell {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

async fn shell() -> Shell {
    let dir = tempfile::tempdir().unwrap();
    let engine = start_engine(&dir).await;
    shell_with(dir, AppState::new(engine, updates_off(), None))
}

async fn start_engine(dir: &tempfile::TempDir) -> Arc<fleetward_core::Engine> {
    fleetward_core::Engine::start(fleetward_core::testing::config(dir.path().join("data")))
        .await
        .unwrap()
}

fn updates_off() -> UpdatesStatus {
    UpdatesStatus {
        enabled: false,
        detail: "This build has no update endpoint configured.".into(),
    }
}

fn shell_with(dir: tempfile::TempDir, state: AppState) -> Shell {
    let app = mock_builder()
        .invoke_handler(invoke_handler())
        .manage(state)
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Shell {
        _dir: dir,
        _app: app,
        window,
    }
}

/// Calls a command as the UI does and returns its JSON answer, or the rejection's JSON.
fn invoke(shell: &Shell, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_on(&shell.window, cmd, args)
}

fn invoke_on(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: APP_ORIGIN.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn app_info_reports_the_engine_and_that_updates_are_off() {
    let shell = shell().await;
    let info = invoke(&shell, "app_info", json!({})).unwrap();
    assert_eq!(info["updates"]["enabled"], false);
    assert!(info["engine"]["selfCheck"]["sqlcipherVersion"]
        .as_str()
        .unwrap()
        .starts_with('4'));
    assert!(info["startError"].is_null());
}

/// The engine opens in the background while the window loads: a command the UI sends
/// meanwhile waits for it and then answers, rather than failing.
#[tokio::test(flavor = "multi_thread")]
async fn commands_sent_while_the_engine_opens_wait_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let shell = shell_with(
        tempfile::tempdir().unwrap(),
        AppState::starting(updates_off()),
    );
    let asking = {
        let window = shell.window.clone();
        std::thread::spawn(move || {
            (
                invoke_on(&window, "app_info", json!({})),
                invoke_on(&window, "add_company", json!({"name": "Acme"})),
            )
        })
    };
    // Wait (without sleeping) until app_info is parked on the opening engine.
    let state = shell._app.state::<AppState>();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while state.commands_waiting() == 0 {
        assert!(
            std::time::Instant::now() < until,
            "app_info never asked for the engine"
        );
        tokio::task::yield_now().await;
    }
    assert!(
        !asking.is_finished(),
        "app_info answered before the engine opened"
    );

    state.finish(Started::running(start_engine(&dir).await, None));
    let (info, added) = asking.join().unwrap();
    let info = info.unwrap();
    assert!(info["engine"].is_object());
    assert!(info["startError"].is_null());
    assert_eq!(added.unwrap()["name"], "Acme");
}

/// When the engine cannot open, what the UI asked meanwhile and afterwards gets the reason.
#[tokio::test(flavor = "multi_thread")]
async fn when_the_engine_cannot_open_every_command_answers_why() {
    let shell = shell_with(
        tempfile::tempdir().unwrap(),
        AppState::starting(updates_off()),
    );
    let why = fleetward_core::ErrorReport::new(
        fleetward_core::ErrorKind::Store,
        "The store could not be opened with the key in the keychain. Restore the key or choose another data folder.",
    );
    shell
        ._app
        .state::<AppState>()
        .finish(Started::failed(why.clone()));
    let info = invoke(&shell, "app_info", json!({})).unwrap();
    assert!(info["engine"].is_null());
    assert_eq!(info["startError"]["kind"], "store");
    let refused = invoke(&shell, "companies", json!({})).unwrap_err();
    assert_eq!(refused["kind"], "store");
    assert_eq!(refused["message"], why.message.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_cross_ipc_as_kind_and_message() {
    let shell = shell().await;
    invoke(&shell, "add_company", json!({"name": "Acme"})).unwrap();
    let duplicate = invoke(&shell, "add_company", json!({"name": " ACME "})).unwrap_err();
    assert_eq!(duplicate["kind"], "invalidInput");
    assert!(duplicate["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    let missing = invoke(&shell, "promote_company", json!({"companyId": 999})).unwrap_err();
    assert_eq!(missing["kind"], "notFound");

    let updates = invoke(&shell, "check_for_updates", json!({})).unwrap_err();
    assert_eq!(updates["kind"], "notConfigured");
    assert!(updates["message"]
        .as_str()
        .unwrap()
        .starts_with("Updates are off."));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_is_tested_saved_and_mapped_without_the_secret_coming_back() {
    let sim = Simulator::start(SimConfig {
        orgs: 3,
        devices_per_org: 4,
        client_secret: "ipc-secret-7f3a".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let shell = shell().await;
    let draft = json!({"baseUrl": sim.base_url(), "clientId": "sim-client", "clientSecret": "ipc-secret-7f3a"});

    let tested = invoke(&shell, "test_connection", json!({ "draft": draft })).unwrap();
    assert_eq!(tested["organizations"], 3);
    let saved = invoke(&shell, "save_connection", json!({ "draft": draft })).unwrap();
    assert_eq!(saved["discovery"]["newOrganizations"], 3);
    let id = saved["connection"]["id"].clone();
    for answer in [
        &tested,
        &saved,
        &invoke(&shell, "connections", json!({})).unwrap(),
    ] {
        assert!(
            !answer.to_string().contains("ipc-secret"),
            "the secret never goes back: {answer}"
        );
    }

    let rows = invoke(&shell, "organizations", json!({ "connectionId": id })).unwrap();
    let org = rows[0]["orgId"].clone();
    let mapped = invoke(
        &shell,
        "map_organization",
        json!({ "connectionId": id, "orgId": org, "choice": {"action": "createNew"}, "options": {"includeNonAgent": true} }),
    )
    .unwrap();
    assert_eq!(mapped["state"], "mapped");
    assert_eq!(mapped["includeNonAgent"], true);
    let companies = invoke(&shell, "companies", json!({})).unwrap();
    assert_eq!(companies[0]["mappedOrganizations"], 1);

    let company = mapped["companyId"].clone();
    let preview = invoke(
        &shell,
        "sync_company",
        json!({ "companyId": company, "preview": true }),
    )
    .unwrap();
    assert_eq!(preview["preview"], true);
    let run = invoke(&shell, "sync_company", json!({ "companyId": company })).unwrap();
    assert_eq!(run["status"], "succeeded");
    let assets = invoke(
        &shell,
        "assets",
        json!({ "companyId": company, "status": "active" }),
    )
    .unwrap();
    assert_eq!(
        assets.as_array().unwrap().len() as u64,
        run["companies"][0]["created"].as_u64().unwrap()
    );
    let detail = invoke(&shell, "asset", json!({ "assetId": assets[0]["id"] })).unwrap();
    assert_eq!(detail["asset"]["id"], assets[0]["id"]);
    let runs = invoke(&shell, "runs", json!({})).unwrap();
    assert_eq!(runs[0]["kind"], "sync");
    let audit = invoke(&shell, "audit_events", json!({ "companyId": company })).unwrap();
    assert!(!audit.as_array().unwrap().is_empty());
    let report = invoke(
        &shell,
        "import_assets",
        json!({ "source": "level", "content": format!("externalId,company\nL-1,{company}\n") }),
    )
    .unwrap();
    assert_eq!(report["imported"], 1);
    let wrong_source = invoke(
        &shell,
        "import_assets",
        json!({ "source": "sccm", "content": "" }),
    )
    .unwrap_err();
    assert_eq!(wrong_source["kind"], "invalidInput");

    let bad = invoke(
        &shell,
        "test_connection",
        json!({ "draft": {"region": "mars", "clientId": "a", "clientSecret": "b"} }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalidInput");
    sim.shutdown().await;
}

// Compliance (SPEC §5)

#[tokio::test(flavor = "multi_thread")]
async fn a_promoted_company_is_swept_and_its_signals_evidence_and_exports_cross_ipc() {
    let sim = Simulator::start(SimConfig {
        orgs: 2,
        devices_per_org: 4,
        client_secret: "ipc-sweep-secret".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let shell = shell().await;
    let nothing = invoke(&shell, "sweep", json!({})).unwrap_err();
    assert_eq!(nothing["kind"], "invalidInput");
    assert!(nothing["message"]
        .as_str()
        .unwrap()
        .contains("Promote a company"));

    let draft = json!({"baseUrl": sim.base_url(), "clientId": "sim-client", "clientSecret": "ipc-sweep-secret"});
    let saved = invoke(&shell, "save_connection", json!({ "draft": draft })).unwrap();
    let id = saved["connection"]["id"].clone();
    let rows = invoke(&shell, "organizations", json!({ "connectionId": id })).unwrap();
    let mapped = invoke(
        &shell,
        "map_organization",
        json!({ "connectionId": id, "orgId": rows[0]["orgId"], "choice": {"action": "createNew"} }),
    )
    .unwrap();
    let company = mapped["companyId"].clone();
    invoke(&shell, "promote_company", json!({ "companyId": company })).unwrap();

    let run = invoke(&shell, "sweep", json!({ "companyId": company })).unwrap();
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["companies"][0]["dryRun"], true);
    let signals = invoke(&shell, "signals", json!({ "companyId": company })).unwrap();
    assert_eq!(signals.as_array().unwrap().len(), 5);
    assert_eq!(signals[0]["expired"], false);
    let history = invoke(&shell, "signal_history", json!({ "companyId": company })).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 5);
    let evidence = invoke(&shell, "evidence", json!({ "companyId": company })).unwrap();
    assert_eq!(
        evidence.as_array().unwrap().len(),
        10,
        "two controls per signal"
    );
    let csv = invoke(
        &shell,
        "export_evidence",
        json!({ "companyId": company, "format": "csv" }),
    )
    .unwrap();
    assert_eq!(
        csv.as_str().unwrap().lines().count(),
        11,
        "header + 10 rows"
    );

    // The first sweep is a dry run: no ticket yet.
    let tickets = invoke(&shell, "tickets", json!({ "status": "open" })).unwrap();
    assert_eq!(tickets, json!([]));
    let json_export = invoke(&shell, "export_tickets", json!({ "format": "json" })).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(json_export.as_str().unwrap()).unwrap(),
        json!([])
    );
    let bad_format = invoke(&shell, "export_tickets", json!({ "format": "xml" })).unwrap_err();
    assert_eq!(bad_format["kind"], "invalidInput");
    let bad_status = invoke(&shell, "tickets", json!({ "status": "pending" })).unwrap_err();
    assert_eq!(bad_status["kind"], "invalidInput");
    sim.shutdown().await;
}

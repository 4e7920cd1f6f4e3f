//! Contract tests: every endpoint the simulator serves answers with a body that validates
//! against the response schema of NinjaOne's own OpenAPI document
//! (`shared/reference/ninjaone-openapi-v2.json`, v2.0.9-draft), converted from OpenAPI 3.0
//! to JSON Schema 2020-12. The only tolerated differences are the deliberate unknown enum
//! values the simulator serves to exercise clients' fallbacks (listed in [`DRIFT`]).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use ninjaone_sim::{SimConfig, Simulator};
use serde_json::{json, Map, Value};

/// The OpenAPI document, relative to this crate.
const SPEC: &str = "../../../../shared/reference/ninjaone-openapi-v2.json";

/// Values outside the spec's enums that the simulator serves on purpose, as NinjaOne does
/// when a release adds values (ninjaone-api.md §3.5): (pointer suffix, value).
const DRIFT: &[(&str, &str)] = &[
    ("/approvalStatus", "QUARANTINED"),
    ("/statusCode", "AGENT_SELF_HEALED"),
    ("/statusCode", "NINJA_QUANTUM_SYNC_COMPLETED"),
];

fn load_spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SPEC);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the NinjaOne OpenAPI document was not found at {} ({e}); the contract tests need \
             shared/reference/ninjaone-openapi-v2.json beside the repository",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the OpenAPI document is JSON")
}

/// The response schema of `GET path` (status 200, else `default`).
fn response_schema<'a>(spec: &'a Value, path: &str) -> &'a Value {
    let responses = &spec["paths"][path]["get"]["responses"];
    let response = ["200", "default"]
        .iter()
        .find_map(|status| responses.get(*status))
        .unwrap_or_else(|| panic!("the spec has no 200/default answer for GET {path}"));
    let content = response["content"]
        .as_object()
        .unwrap_or_else(|| panic!("GET {path} has no content"));
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())
        .unwrap_or_else(|| panic!("GET {path} has no media type"));
    &media["schema"]
}

/// OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a `null` type; OpenAPI-only keywords
/// go; `format` stays as an annotation.
fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let nullable = map.get("nullable") == Some(&Value::Bool(true));
            let mut out = Map::new();
            for (key, value) in map {
                if matches!(
                    key.as_str(),
                    "nullable" | "discriminator" | "example" | "xml" | "readOnly" | "writeOnly"
                ) {
                    continue;
                }
                // Inside `properties`, keys are property names, not keywords.
                let converted = if key == "properties" {
                    Value::Object(
                        value
                            .as_object()
                            .map(|props| {
                                props
                                    .iter()
                                    .map(|(k, v)| (k.clone(), to_json_schema(v)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                } else {
                    to_json_schema(value)
                };
                out.insert(key.clone(), converted);
            }
            if nullable {
                match out.get("type").cloned() {
                    Some(Value::String(kind)) => {
                        out.insert("type".into(), json!([kind, "null"]));
                    }
                    Some(Value::Array(mut kinds)) => {
                        kinds.push(json!("null"));
                        out.insert("type".into(), Value::Array(kinds));
                    }
                    _ => {}
                }
                if let Some(Value::Array(options)) = out.get_mut("enum") {
                    options.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

struct Contract {
    spec: Value,
    validators: HashMap<String, Validator>,
    failures: Vec<String>,
    drift_seen: BTreeSet<String>,
    checked: usize,
}

impl Contract {
    fn new() -> Contract {
        Contract {
            spec: load_spec(),
            validators: HashMap::new(),
            failures: Vec::new(),
            drift_seen: BTreeSet::new(),
            checked: 0,
        }
    }

    fn validator(&mut self, path: &str) -> &Validator {
        if !self.validators.contains_key(path) {
            let schema = to_json_schema(response_schema(&self.spec, path));
            let validator = jsonschema::draft202012::new(&schema)
                .unwrap_or_else(|e| panic!("the schema of GET {path} does not compile: {e}"));
            self.validators.insert(path.to_string(), validator);
        }
        &self.validators[path]
    }

    /// Validates `body` against the schema of the spec path `path`; `what` names the request.
    fn check(&mut self, path: &str, what: &str, body: &Value) {
        self.checked += 1;
        let mut failures = Vec::new();
        let mut drift = Vec::new();
        for error in self.validator(path).iter_errors(body) {
            let pointer = error.instance_path.to_string();
            let tolerated = matches!(error.kind, ValidationErrorKind::Enum { .. })
                && error.instance.as_str().is_some_and(|value| {
                    DRIFT
                        .iter()
                        .any(|(suffix, drift)| pointer.ends_with(suffix) && value == *drift)
                });
            if tolerated {
                drift.push(error.instance.as_str().unwrap_or_default().to_string());
            } else {
                failures.push(format!("GET {what}: at {pointer:?}: {error}"));
            }
        }
        // NinjaOne omits absent fields (ninjaone-api.md §2.1); the schema would not notice a
        // null in a field it does not list.
        nulls(body, String::new(), &mut failures, what);
        self.failures.extend(failures);
        self.drift_seen.extend(drift);
    }
}

fn nulls(value: &Value, pointer: String, failures: &mut Vec<String>, what: &str) {
    match value {
        Value::Null => failures.push(format!(
            "GET {what}: at {pointer:?}: null instead of an omitted field"
        )),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                nulls(item, format!("{pointer}/{index}"), failures, what);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                nulls(item, format!("{pointer}/{key}"), failures, what);
            }
        }
        _ => {}
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn connect(sim: &Simulator) -> Api {
        let http = reqwest::Client::new();
        let base = sim.base_url();
        let answer: Value = http
            .post(format!("{base}/ws/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "sim-client"),
                ("client_secret", "sim-secret"),
                ("scope", "monitoring"),
            ])
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token JSON");
        let token = answer["access_token"]
            .as_str()
            .expect("a token")
            .to_string();
        Api { http, base, token }
    }

    async fn get(&self, path_and_query: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {path_and_query}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
    }
}

const REPORTS: &[(&str, &str)] = &[
    ("/v2/queries/volumes", "include=bl"),
    ("/v2/queries/antivirus-status", ""),
    ("/v2/queries/os-patches", ""),
    ("/v2/queries/software-patches", ""),
    ("/v2/queries/os-patch-installs", ""),
    ("/v2/queries/software-patch-installs", ""),
    ("/v2/queries/device-health", ""),
    ("/v2/queries/operating-systems", ""),
    ("/v2/queries/computer-systems", ""),
    ("/v2/queries/custom-fields", ""),
    ("/v2/queries/software", ""),
    ("/v2/backup/jobs", ""),
];

#[tokio::test]
async fn every_endpoint_answers_as_the_openapi_document_says() {
    let mut contract = Contract::new();
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("the simulator starts");
    let api = Api::connect(&sim).await;

    for path in [
        "/v2/organizations",
        "/v2/organizations-detailed",
        "/v2/locations",
        "/v2/devices",
        "/v2/devices-detailed",
    ] {
        let body = api.get(&format!("{path}?pageSize=1000")).await;
        assert!(
            !body.as_array().expect("an array").is_empty(),
            "{path} is empty"
        );
        contract.check(path, path, &body);
    }
    // The /api/v2 prefix serves the same shapes.
    let body = api.get("/api/v2/devices-detailed?pageSize=7&after=3").await;
    contract.check("/v2/devices-detailed", "/api/v2/devices-detailed", &body);

    let orgs = api.get("/v2/organizations").await;
    for org in orgs.as_array().unwrap() {
        let id = org["id"].as_i64().unwrap();
        let what = format!("/v2/organization/{id}/locations");
        let body = api.get(&what).await;
        contract.check("/v2/organization/{id}/locations", &what, &body);
    }

    let devices = api.get("/v2/devices-detailed").await;
    let mut device_types = BTreeSet::new();
    let mut approvals = BTreeSet::new();
    for device in devices.as_array().unwrap() {
        let id = device["id"].as_i64().unwrap();
        device_types.insert(
            device["deviceType"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        approvals.insert(
            device["approvalStatus"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        let what = format!("/v2/device/{id}");
        let body = api.get(&what).await;
        contract.check("/v2/device/{id}", &what, &body);
    }
    for expected in [
        "AgentDevice",
        "NMSTarget",
        "VMGuest",
        "VMHost",
        "CloudMonitorHTTP",
    ] {
        assert!(
            device_types.contains(expected),
            "no {expected} device in {device_types:?}"
        );
    }
    for expected in [
        "APPROVED",
        "PENDING",
        "STAGED",
        "DECOMMISSIONED",
        "QUARANTINED",
    ] {
        assert!(
            approvals.contains(expected),
            "no {expected} device in {approvals:?}"
        );
    }
    let body = api.get("/v2/device/1/dashboard-url").await;
    assert!(body["url"]
        .as_str()
        .unwrap()
        .ends_with("/#/deviceDashboard/1/overview"));
    contract.check(
        "/v2/device/{id}/dashboard-url",
        "/v2/device/1/dashboard-url",
        &body,
    );

    for (path, query) in REPORTS {
        let mut rows = Vec::new();
        let mut page = api.get(&format!("{path}?pageSize=37&{query}")).await;
        loop {
            contract.check(path, path, &page);
            let results = page["results"].as_array().unwrap().clone();
            let count = page["cursor"]["count"].as_u64().unwrap() as usize;
            rows.extend(results);
            let name = page["cursor"]["name"].as_str().unwrap().to_string();
            page = api.get(&format!("{path}?pageSize=37&cursor={name}")).await;
            if rows.len() >= count {
                // The answer past the end is valid too.
                contract.check(path, &format!("{path} (finished cursor)"), &page);
                break;
            }
        }
        assert!(!rows.is_empty(), "{path} has no rows");
        if *path == "/v2/queries/volumes" {
            assert!(rows.iter().any(|r| r.get("bitLockerStatus").is_some()));
        }
    }
    let unknown = api.get("/v2/queries/volumes?cursor=unknown").await;
    contract.check(
        "/v2/queries/volumes",
        "/v2/queries/volumes (unknown cursor)",
        &unknown,
    );

    let mut statuses = BTreeSet::new();
    let mut older = String::new();
    loop {
        let page = api
            .get(&format!("/v2/activities?pageSize=100{older}"))
            .await;
        contract.check("/v2/activities", "/v2/activities", &page);
        let activities = page["activities"].as_array().unwrap();
        let Some(min) = activities.iter().filter_map(|a| a["id"].as_i64()).min() else {
            break;
        };
        statuses.extend(
            activities
                .iter()
                .filter_map(|a| a["statusCode"].as_str().map(String::from)),
        );
        older = format!("&olderThan={min}");
    }
    for expected in [
        "NINJA_BACKUP_BACKUPJOB_COMPLETED",
        "CLOUDBERRY_BACKUPJOB_SUCCEEDED",
        "FILEVAULT_ENABLED",
        "FILEVAULT_DISABLED",
        "TRIGGERED",
        "RESET",
    ] {
        assert!(statuses.contains(expected), "no {expected} activity");
    }

    let alerts = api.get("/v2/alerts").await;
    assert!(!alerts.as_array().unwrap().is_empty(), "no active alert");
    contract.check("/v2/alerts", "/v2/alerts", &alerts);

    sim.shutdown().await;
    assert!(
        contract.failures.is_empty(),
        "{} of {} answers broke the OpenAPI contract:\n{}",
        contract.failures.len(),
        contract.checked,
        contract.failures.join("\n")
    );
    // The tolerated drift really is served, so the allowance is not dead weight.
    assert!(
        contract.drift_seen.contains("QUARANTINED"),
        "{:?}",
        contract.drift_seen
    );
    assert!(
        contract.drift_seen.iter().any(|v| v != "QUARANTINED"),
        "no unknown statusCode was served: {:?}",
        contract.drift_seen
    );
}

#[test]
fn the_drift_values_are_really_outside_the_spec() {
    let spec = load_spec();
    let activity = &response_schema(&spec, "/v2/activities")["properties"]["activities"]["items"];
    let codes = activity["properties"]["statusCode"]["enum"]
        .as_array()
        .unwrap();
    let device = &response_schema(&spec, "/v2/devices")["items"];
    let approvals = device["properties"]["approvalStatus"]["enum"]
        .as_array()
        .unwrap();
    for (suffix, value) in DRIFT {
        let list = if *suffix == "/statusCode" {
            codes
        } else {
            approvals
        };
        assert!(!list.iter().any(|v| v == value), "{value} is in the spec");
    }
}

#[test]
fn the_validation_rejects_broken_bodies() {
    let mut contract = Contract::new();
    let good = json!([{ "id": 1, "offline": false, "nodeClass": "MAC", "created": 1.5 }]);
    contract.check("/v2/devices", "good", &good);
    assert!(contract.failures.is_empty(), "{:?}", contract.failures);

    let broken = json!([{ "id": "1", "offline": "yes", "nodeClass": "TOASTER" }]);
    contract.check("/v2/devices", "broken", &broken);
    let joined = contract.failures.join("\n");
    assert!(joined.contains("\"/0/id\""), "{joined}");
    assert!(joined.contains("\"/0/offline\""), "{joined}");
    assert!(joined.contains("\"/0/nodeClass\""), "{joined}");

    contract.failures.clear();
    let report = json!({ "cursor": { "name": "x", "offset": "0" }, "results": [{ "deviceId": 1.5, "capacity": "big" }] });
    contract.check("/v2/queries/volumes", "broken report", &report);
    assert_eq!(contract.failures.len(), 3, "{:?}", contract.failures);

    contract.failures.clear();
    let fields = json!({ "results": [{ "deviceId": 1, "fields": { "assetTag": "AT-1" } }] });
    contract.check("/v2/queries/custom-fields", "custom fields", &fields);
    assert_eq!(contract.failures.len(), 1, "field values must be objects");
}

#[test]
fn nullable_becomes_a_null_type() {
    let schema = to_json_schema(&json!({
        "type": "object",
        "discriminator": { "propertyName": "kind" },
        "properties": { "note": { "type": "string", "nullable": true, "example": "x", "readOnly": true } }
    }));
    assert_eq!(
        schema["properties"]["note"],
        json!({ "type": ["string", "null"] })
    );
    assert!(schema.get("discriminator").is_none());
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(validator.is_valid(&json!({ "note": null })));
    assert!(!validator.is_valid(&json!({ "note": 3 })));
}

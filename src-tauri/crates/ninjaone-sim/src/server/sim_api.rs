//! The control API under `/_sim` (JSON, no authentication): the same operations as
//! [`Control`], for tools that drive the simulator from outside the process, such as the
//! app's demo mode or a benchmark script. Never counted, throttled or faulted.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use ninjaone::models::{Activity, ApprovalStatus, NodeClass};
use serde::Deserialize;
use serde_json::json;

use super::respond;
use crate::control::Control;
use crate::faults::{Faults, RateLimit};

pub(crate) fn routes() -> Router<Control> {
    Router::new()
        .route("/_sim/stats", get(stats))
        .route("/_sim/stats/reset", post(reset_stats))
        .route("/_sim/stats/window", post(stats_window))
        .route("/_sim/faults", post(set_faults).delete(clear_faults))
        .route("/_sim/rate-limit", post(rate_limit))
        .route("/_sim/tokens/expire", post(expire_tokens))
        .route("/_sim/cursors/expire", post(expire_cursors))
        .route(
            "/_sim/organizations",
            get(organizations).post(add_organization),
        )
        .route(
            "/_sim/organizations/{id}",
            patch(rename_organization).delete(remove_organization),
        )
        .route("/_sim/devices", get(devices).post(add_device))
        .route(
            "/_sim/devices/{id}",
            patch(update_device).delete(remove_device),
        )
        .route("/_sim/activities", post(append_activity))
        .route("/_sim/activities/batch", post(append_activities))
}

fn done(found: bool) -> Response {
    if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        respond::not_found()
    }
}

fn created(id: i64) -> Response {
    Json(json!({ "id": id })).into_response()
}

async fn stats(State(control): State<Control>) -> Response {
    Json(control.stats()).into_response()
}

async fn reset_stats(State(control): State<Control>) -> Response {
    control.reset_stats();
    done(true)
}

#[derive(Deserialize)]
struct Window {
    secs: f64,
}

async fn stats_window(State(control): State<Control>, Json(window): Json<Window>) -> Response {
    match Duration::try_from_secs_f64(window.secs) {
        Ok(window) if !window.is_zero() => {
            control.set_stats_window(window);
            done(true)
        }
        _ => respond::invalid_parameter("secs must be a positive number of seconds"),
    }
}

async fn set_faults(State(control): State<Control>, Json(faults): Json<Faults>) -> Response {
    control.set_faults(faults);
    done(true)
}

async fn clear_faults(State(control): State<Control>) -> Response {
    control.clear_faults();
    done(true)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitBody {
    max: usize,
    per_secs: f64,
}

async fn rate_limit(
    State(control): State<Control>,
    Json(body): Json<Option<RateLimitBody>>,
) -> Response {
    let limit = match body {
        None => None,
        Some(body) => match Duration::try_from_secs_f64(body.per_secs) {
            Ok(per) if !per.is_zero() => Some(RateLimit { max: body.max, per }),
            _ => return respond::invalid_parameter("perSecs must be a positive number of seconds"),
        },
    };
    control.set_rate_limit(limit);
    done(true)
}

async fn expire_tokens(State(control): State<Control>) -> Response {
    control.expire_tokens();
    done(true)
}

async fn expire_cursors(State(control): State<Control>) -> Response {
    control.expire_cursors();
    done(true)
}

async fn organizations(State(control): State<Control>) -> Response {
    Json(control.organizations()).into_response()
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

async fn add_organization(State(control): State<Control>, Json(body): Json<Name>) -> Response {
    created(control.add_organization(&body.name))
}

async fn rename_organization(
    State(control): State<Control>,
    Path(id): Path<i64>,
    Json(body): Json<Name>,
) -> Response {
    done(control.try_rename_organization(id, &body.name))
}

async fn remove_organization(State(control): State<Control>, Path(id): Path<i64>) -> Response {
    done(control.try_remove_organization(id))
}

async fn devices(State(control): State<Control>) -> Response {
    Json(control.devices()).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewDevice {
    org_id: i64,
    node_class: NodeClass,
    approval_status: Option<ApprovalStatus>,
}

async fn add_device(State(control): State<Control>, Json(body): Json<NewDevice>) -> Response {
    if !control.view().orgs.iter().any(|org| org.id == body.org_id) {
        return respond::not_found();
    }
    let approval = body.approval_status.unwrap_or(ApprovalStatus::Approved);
    created(control.add_device(body.org_id, body.node_class, approval))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceChange {
    system_name: Option<String>,
    approval_status: Option<ApprovalStatus>,
    offline: Option<bool>,
}

async fn update_device(
    State(control): State<Control>,
    Path(id): Path<i64>,
    Json(change): Json<DeviceChange>,
) -> Response {
    if control.view().device(id).is_none() {
        return respond::not_found();
    }
    if let Some(name) = change.system_name {
        control.rename_device(id, &name);
    }
    if let Some(approval) = change.approval_status {
        control.set_approval(id, approval);
    }
    if let Some(offline) = change.offline {
        control.set_offline(id, offline);
    }
    done(true)
}

async fn remove_device(State(control): State<Control>, Path(id): Path<i64>) -> Response {
    done(control.try_remove_device(id))
}

async fn append_activity(
    State(control): State<Control>,
    Json(activity): Json<Activity>,
) -> Response {
    created(control.append_activity(activity))
}

/// Appends a JSON array of activities in order; answers `{"ids": [...]}` (ascending).
async fn append_activities(
    State(control): State<Control>,
    Json(activities): Json<Vec<Activity>>,
) -> Response {
    Json(json!({ "ids": control.append_activities(activities) })).into_response()
}

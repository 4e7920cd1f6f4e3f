//! The HTTP surface: NinjaOne's routes under both `/v2` and `/api/v2` (ninjaone-api.md
//! §1.1), the OAuth token endpoint, and the `/_sim` control API. Every request except
//! control requests passes the [`gate`](gate::gate) first, which counts it and applies the
//! rate limit and faults before any handler runs.

mod auth;
mod gate;
mod lists;
mod query;
mod reports;
mod respond;
mod sim_api;

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::control::Control;
use crate::reports::ReportKind;

pub(crate) fn router(control: Control) -> Router {
    let mut app = Router::new().route("/ws/oauth/token", post(auth::token));
    for prefix in ["/v2", "/api/v2"] {
        let at = |path: &str| format!("{prefix}{path}");
        app = app
            .route(&at("/organizations"), get(lists::organizations))
            .route(
                &at("/organizations-detailed"),
                get(lists::organizations_detailed),
            )
            .route(&at("/locations"), get(lists::locations))
            .route(
                &at("/organization/{id}/locations"),
                get(lists::organization_locations),
            )
            .route(&at("/devices"), get(lists::devices))
            .route(&at("/devices-detailed"), get(lists::devices_detailed))
            .route(&at("/device/{id}"), get(lists::device))
            .route(&at("/device/{id}/dashboard-url"), get(lists::dashboard_url))
            .route(&at("/activities"), get(lists::activities))
            .route(&at("/alerts"), get(lists::alerts));
        for kind in ReportKind::ALL {
            app = app.route(
                &at(kind.path()),
                get(
                    move |State(control): State<Control>,
                          authorized: auth::Authorized,
                          Query(params): Query<HashMap<String, String>>| {
                        reports::report(control, authorized, params, kind)
                    },
                ),
            );
        }
    }
    app.merge(sim_api::routes())
        .fallback(respond::unknown_route)
        .layer(middleware::from_fn_with_state(control.clone(), gate::gate))
        .with_state(control)
}

/// Endpoints whose answer is a list, where a malformed-JSON fault can corrupt one item.
fn returns_list(endpoint: &str) -> bool {
    let path = endpoint.split_once(' ').map_or(endpoint, |(_, path)| path);
    matches!(
        path,
        "/v2/organizations"
            | "/v2/organizations-detailed"
            | "/v2/locations"
            | "/v2/organization/{id}/locations"
            | "/v2/devices"
            | "/v2/devices-detailed"
            | "/v2/activities"
            | "/v2/alerts"
    ) || ReportKind::ALL
        .iter()
        .any(|kind| path.strip_prefix("/v2") == Some(kind.path()))
}

//! OAuth client credentials (ninjaone-api.md §1.2–§1.3) and the bearer-token check of
//! every `/v2` route. The rejection bodies are the ones clients have seen from NinjaOne,
//! because the Fleetward client tells "unknown client" (wrong region) from "wrong secret"
//! by them.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::respond;
use crate::control::Control;

pub(crate) async fn token(
    State(control): State<Control>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return respond::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_request", "error_description": "Expected an application/x-www-form-urlencoded body" }),
        );
    };
    let config = &control.shared.config;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return respond::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": "unsupported_grant_type" }),
        );
    }
    if field("client_id") != config.client_id {
        return respond::json(
            StatusCode::BAD_REQUEST,
            json!({ "resultCode": "Client app not exist", "incidentId": "WEB-1" }),
        );
    }
    if field("client_secret") != config.client_secret {
        return respond::json(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "unauthorized", "error_description": "Bad client credentials" }),
        );
    }
    respond::json(
        StatusCode::OK,
        json!({
            "access_token": control.issue_token(),
            "token_type": "Bearer",
            "expires_in": config.token_lifetime_secs,
            "scope": config.granted_scopes,
        }),
    )
}

/// Proof that the request carried a valid bearer token.
pub(crate) struct Authorized;

impl FromRequestParts<Control> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, control: &Control) -> Result<Self, Response> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            });
        match token {
            Some(token) if control.token_valid(token) => Ok(Authorized),
            _ => Err(respond::not_authenticated()),
        }
    }
}

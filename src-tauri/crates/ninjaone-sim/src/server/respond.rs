//! NinjaOne's answers for errors and throttling, in one place so every handler answers a
//! failure the same way (ninjaone-api.md §2.4, §5).

use std::io;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A request NinjaOne would refuse; small, so handlers can return `Result<_, Failure>`.
#[derive(Debug)]
pub(crate) enum Failure {
    NotFound,
    InvalidFilter(String),
    InvalidParameter(String),
    CursorExpired,
    Internal(String),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::NotFound => not_found(),
            Failure::InvalidFilter(detail) => invalid_filter(&detail),
            Failure::InvalidParameter(detail) => invalid_parameter(&detail),
            Failure::CursorExpired => cursor_expired(),
            Failure::Internal(detail) => internal(&detail),
        }
    }
}

pub(crate) fn json(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn result(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        json!({ "resultCode": code, "errorMessage": message }),
    )
}

pub(crate) fn not_found() -> Response {
    result(StatusCode::NOT_FOUND, "FAILURE", "HTTP 404 Not Found")
}

pub(crate) async fn unknown_route() -> Response {
    not_found()
}

pub(crate) fn invalid_filter(detail: &str) -> Response {
    result(
        StatusCode::BAD_REQUEST,
        "INVALID_FILTER",
        &format!("Invalid device filter: {detail}"),
    )
}

pub(crate) fn invalid_parameter(detail: &str) -> Response {
    result(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", detail)
}

pub(crate) fn cursor_expired() -> Response {
    result(
        StatusCode::BAD_REQUEST,
        "CURSOR_EXPIRED",
        "Cursor expired, start the query again",
    )
}

pub(crate) fn internal(detail: &str) -> Response {
    result(StatusCode::INTERNAL_SERVER_ERROR, "FAILURE", detail)
}

pub(crate) fn not_authenticated() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({ "error": "not_authenticated", "error_description": "Invalid credentials", "error_code": 10 }),
    )
}

pub(crate) fn too_many_requests(retry_after_secs: u64) -> Response {
    let mut response = result(
        StatusCode::TOO_MANY_REQUESTS,
        "TOO_MANY_REQUESTS",
        "Rate limit exceeded, retry later",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

pub(crate) fn unavailable() -> Response {
    result(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "The service is temporarily unavailable",
    )
}

/// NinjaOne's throttle page: HTML with status 200 (ninjaone-api.md §5).
pub(crate) fn html_slow_down() -> Response {
    let page = "<!DOCTYPE html><html><head><title>Slow down</title></head>\
                <body><h1>Too many requests</h1><p>Please slow down and try again in a moment.</p></body></html>";
    let mut response = Response::new(Body::from(page));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A 200 whose body breaks off: the stream fails after the first bytes, so hyper aborts
/// the connection and the client sees a truncated answer.
pub(crate) fn dropped_connection() -> Response {
    let chunks: Vec<Result<Bytes, io::Error>> = vec![
        Ok(Bytes::from_static(b"[{\"id\":")),
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

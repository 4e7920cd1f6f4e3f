//! What happens to every API and token request before its handler: it is counted, then the
//! rate limit and the configured faults get their chance. Control requests (`/_sim`) pass
//! untouched, so a test can always read stats or clear faults.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::{respond, returns_list};
use crate::control::Control;
use crate::faults::FaultKind;

pub(crate) const TOKEN_PATH: &str = "/ws/oauth/token";

pub(crate) async fn gate(State(control): State<Control>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/_sim") {
        return next.run(request).await;
    }
    let endpoint = endpoint_key(&request);
    let token_endpoint = request.uri().path() == TOKEN_PATH;
    let now = Instant::now();
    control.record_request(&endpoint, token_endpoint, now);
    let remaining = match control.admit(now) {
        Ok(remaining) => remaining,
        Err(retry_after) => {
            control.record_throttle();
            return respond::too_many_requests(retry_after);
        }
    };
    let Some(fault) = control.draw_fault(token_endpoint) else {
        let mut response = next.run(request).await;
        // With a rate limit set, answers say how much of the window is left, as rate-limited
        // APIs do; the client warns when it runs low.
        if let Some(remaining) = remaining {
            response
                .headers_mut()
                .insert("x-ratelimit-remaining", remaining.into());
        }
        return response;
    };
    match fault {
        FaultKind::TooManyRequests { retry_after_secs } => {
            control.record_throttle();
            respond::too_many_requests(retry_after_secs)
        }
        FaultKind::Unavailable => {
            control.record_throttle();
            respond::unavailable()
        }
        FaultKind::HtmlOk => {
            control.record_throttle();
            respond::html_slow_down()
        }
        FaultKind::Latency { millis } => {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            next.run(request).await
        }
        FaultKind::DropConnection => respond::dropped_connection(),
        FaultKind::MalformedJson if returns_list(&endpoint) => {
            corrupt(next.run(request).await).await
        }
        FaultKind::MalformedJson => {
            control.record_throttle();
            respond::unavailable()
        }
        FaultKind::FieldDrift { field, value } if returns_list(&endpoint) => {
            rewrite(next.run(request).await, |answer| {
                if let Some(Value::Object(item)) = items(answer).and_then(|i| i.first_mut()) {
                    item.insert(field, value);
                }
            })
            .await
        }
        FaultKind::RepeatedItems if returns_list(&endpoint) => {
            rewrite(next.run(request).await, |answer| {
                if let Some(items) = items(answer) {
                    let again = items.clone();
                    items.extend(again);
                }
            })
            .await
        }
        FaultKind::EndlessReport if endpoint.contains(" /v2/queries/") => {
            let position = endless_position(&request);
            rewrite(next.run(request).await, move |answer| {
                endless(answer, position)
            })
            .await
        }
        FaultKind::FieldDrift { .. } | FaultKind::RepeatedItems | FaultKind::EndlessReport => {
            next.run(request).await
        }
    }
}

/// The items of a list answer: a bare array, or a page's `results` or `activities`.
fn items(value: &mut Value) -> Option<&mut Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(map) => {
            let key = if map.contains_key("results") {
                "results"
            } else {
                "activities"
            };
            map.get_mut(key).and_then(Value::as_array_mut)
        }
        _ => None,
    }
}

/// Where an endless report's next page starts (its cursor, `endless-<offset>`, says), and
/// how many rows a page has.
fn endless_position(request: &Request) -> (u64, u64) {
    let query = request.uri().query().unwrap_or("");
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
    };
    let offset = param("cursor")
        .and_then(|c| c.strip_prefix("endless-").and_then(|o| o.parse().ok()))
        .unwrap_or(0);
    let page_size = param("pageSize")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1000_u64)
        .clamp(1, 10_000);
    (offset, page_size)
}

/// A report page that says more follow, forever: rows (the real ones, or placeholders once
/// they run out) and a cursor at the next offset, without a count.
fn endless(answer: &mut Value, (offset, page_size): (u64, u64)) {
    let Value::Object(page) = answer else { return };
    let rows = page
        .get("results")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if rows == 0 {
        let filler: Vec<Value> = (0..page_size)
            .map(|i| serde_json::json!({ "deviceId": 1_000_000 + offset + i, "timestamp": 1.7e9 }))
            .collect();
        page.insert("results".into(), Value::Array(filler));
    }
    let received = page
        .get("results")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as u64;
    let next = offset + received;
    page.insert(
        "cursor".into(),
        serde_json::json!({ "name": format!("endless-{next}"), "offset": offset, "expires": 4.0e9 }),
    );
}

/// A successful JSON answer, changed by `change`.
async fn rewrite(response: Response, change: impl FnOnce(&mut Value)) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return respond::unavailable();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    change(&mut value);
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

/// `METHOD /route/template`, with `/api/v2` counted as `/v2`; unrouted paths as sent.
fn endpoint_key(request: &Request) -> String {
    let path = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str(),
        None => request.uri().path(),
    };
    let path = path
        .strip_prefix("/api")
        .filter(|rest| rest.starts_with("/v2"))
        .unwrap_or(path);
    format!("{} {path}", request.method())
}

/// Gives the first item of a successful list answer a field of the wrong type.
async fn corrupt(response: Response) -> Response {
    rewrite(response, corrupt_first_item).await
}

/// Fields whose wrong type breaks every client model, tried in order; `id` is never touched
/// so the client can still say which item it skipped.
const CORRUPTIBLE: &[&str] = &[
    "offline",
    "timestamp",
    "activityTime",
    "name",
    "createTime",
    "jobStartTime",
    "fields",
];

pub(crate) fn corrupt_first_item(value: &mut Value) {
    let Some(Value::Object(item)) = items(value).and_then(|items| items.first_mut()) else {
        return;
    };
    let key = CORRUPTIBLE
        .iter()
        .find(|key| item.contains_key(**key))
        .map(|key| key.to_string())
        .or_else(|| item.keys().find(|key| *key != "id").cloned());
    if let Some(field) = key.and_then(|key| item.get_mut(&key)) {
        *field = match field {
            Value::String(_) => Value::from(12_345),
            _ => Value::from("yes"),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_item_gets_a_wrong_type_and_keeps_its_id() {
        let mut devices = json!([{ "id": 1, "offline": false }, { "id": 2, "offline": true }]);
        corrupt_first_item(&mut devices);
        assert_eq!(
            devices,
            json!([{ "id": 1, "offline": "yes" }, { "id": 2, "offline": true }])
        );
        let mut page = json!({ "cursor": {}, "results": [{ "deviceId": 3, "fields": {} }] });
        corrupt_first_item(&mut page);
        assert_eq!(page["results"][0]["fields"], json!("yes"));
        let mut orgs = json!([{ "id": 1, "name": "Acme" }]);
        corrupt_first_item(&mut orgs);
        assert_eq!(orgs[0]["name"], json!(12_345));
    }

    #[test]
    fn an_endless_page_always_has_rows_and_a_cursor_further_on_without_a_count() {
        let mut real = json!({ "cursor": { "name": "c", "offset": 0, "count": 2 },
                               "results": [{ "deviceId": 1 }, { "deviceId": 2 }] });
        endless(&mut real, (0, 1000));
        assert_eq!(real["results"].as_array().unwrap().len(), 2);
        assert_eq!(
            real["cursor"],
            json!({ "name": "endless-2", "offset": 0, "expires": 4.0e9 })
        );
        let mut spent = json!({ "results": [] });
        endless(&mut spent, (2, 3));
        assert_eq!(spent["results"].as_array().unwrap().len(), 3);
        assert_eq!(spent["cursor"]["name"], json!("endless-5"));
    }
}

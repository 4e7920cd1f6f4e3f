//! The client against loopback servers that misbehave on purpose: redirects that would
//! carry the secret or the token elsewhere, and an answer without end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::TryStreamExt;
use ninjaone::{BaseUrl, Client, ClientConfig, Credentials, Error, ErrorCategory, RetryPolicy};
use serde_json::json;
use tokio::sync::oneshot;

/// Serves `app` on a free loopback port; returns `http://127.0.0.1:PORT`.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A server that counts every request it receives and would happily grant a token.
async fn recorder() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .fallback(|State(hits): State<Arc<AtomicUsize>>| async move {
            hits.fetch_add(1, Ordering::SeqCst);
            Json(json!({ "access_token": "stolen", "expires_in": 3600 }))
        })
        .with_state(hits.clone());
    (serve(app).await, hits)
}

fn redirect(status: StatusCode, location: String) -> Response {
    (status, [(LOCATION, location)]).into_response()
}

fn client(base: &str) -> Client {
    let config = ClientConfig {
        timeout: Duration::from_secs(60),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..ClientConfig::default()
    };
    Client::new(
        BaseUrl::custom(base).unwrap(),
        Credentials::new("capture-client", "capture-secret".into()),
        config,
    )
    .unwrap()
}

#[tokio::test]
async fn a_redirected_token_request_is_refused_and_its_target_hears_nothing() {
    let (target, hits) = recorder().await;
    let location = format!("{target}/ws/oauth/token");
    let to = location.clone();
    let capture = serve(Router::new().route(
        "/ws/oauth/token",
        post(move || async move { redirect(StatusCode::TEMPORARY_REDIRECT, to) }),
    ))
    .await;
    let err = client(&capture).sign_in().await.unwrap_err();
    match &err {
        Error::Redirected {
            location: named, ..
        } => assert_eq!(named, &location),
        other => panic!("expected Redirected, got {other:?}"),
    }
    assert_eq!(err.category(), ErrorCategory::InvalidInput);
    assert!(err.to_string().contains(&location), "{err}");
    assert!(err.to_string().contains("never follows redirects"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the secret went nowhere");
}

#[tokio::test]
async fn a_redirected_api_request_never_carries_the_token_elsewhere() {
    let (target, hits) = recorder().await;
    for status in [
        StatusCode::MOVED_PERMANENTLY,
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        let to = format!("{target}/v2/organizations");
        let capture = serve(
            Router::new()
                .route(
                    "/ws/oauth/token",
                    post(|| async { Json(json!({ "access_token": "t", "expires_in": 3600 })) }),
                )
                .route(
                    "/v2/organizations",
                    get(move || async move { redirect(status, to) }),
                ),
        )
        .await;
        let err = client(&capture)
            .organizations()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Redirected { .. }), "{status}: {err:?}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the token went nowhere");
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_not_followed() {
    let capture = serve(Router::new().route(
        "/ws/oauth/token",
        post(|| async {
            redirect(
                StatusCode::PERMANENT_REDIRECT,
                "http://collector.example/ws/oauth/token".into(),
            )
        }),
    ))
    .await;
    let client = client(&capture);
    let err = client.sign_in().await.unwrap_err();
    match &err {
        Error::Redirected { location, .. } => {
            assert_eq!(location, "http://collector.example/ws/oauth/token")
        }
        other => panic!("expected Redirected, got {other:?}"),
    }
    assert_eq!(client.stats().requests, 1, "one request, not retried");
}

/// Tells the test when the server's body stream is dropped, i.e. the client hung up.
struct HungUp(Option<oneshot::Sender<()>>);

impl Drop for HungUp {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[tokio::test]
async fn an_endless_token_answer_is_abandoned_at_the_limit() {
    let (hung_up_tx, hung_up) = oneshot::channel();
    let hung_up_tx = Arc::new(std::sync::Mutex::new(Some(hung_up_tx)));
    let capture = serve(Router::new().route(
        "/ws/oauth/token",
        post(move || {
            let guard = HungUp(hung_up_tx.lock().unwrap().take());
            async move {
                let chunk = Bytes::from(vec![b'x'; 16 * 1024]);
                let endless = futures::stream::repeat_with(move || {
                    let _still_serving = &guard;
                    Ok::<_, std::io::Error>(chunk.clone())
                });
                Response::new(Body::from_stream(endless))
            }
        }),
    ))
    .await;
    let client = client(&capture);
    // The client's own timeout is 60 s: only the size limit can end this in time.
    let err = tokio::time::timeout(Duration::from_secs(20), client.sign_in())
        .await
        .expect("the client stops reading at the limit")
        .unwrap_err();
    match &err {
        Error::AnswerTooLarge {
            endpoint,
            limit_bytes,
        } => {
            assert_eq!(endpoint, "/ws/oauth/token");
            assert_eq!(*limit_bytes, 64 * 1024);
        }
        other => panic!("expected AnswerTooLarge, got {other:?}"),
    }
    assert!(err.to_string().contains("larger than 64 KiB"), "{err}");
    assert!(!err.to_string().contains("could not be reached"), "{err}");
    assert_eq!(client.stats().requests, 1, "not retried");
    tokio::time::timeout(Duration::from_secs(10), hung_up)
        .await
        .expect("the client closed the connection instead of draining it")
        .unwrap();
}

/// A NinjaOne whose token endpoint grants and whose `path` answers with `page(request
/// number, query)`; returns its base and how many requests `path` got.
async fn scripted(
    path: &'static str,
    page: impl Fn(usize, &str) -> Response + Clone + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new()
        .route(
            "/ws/oauth/token",
            post(|| async { Json(json!({ "access_token": "t", "expires_in": 3600 })) }),
        )
        .route(
            path,
            get(move |uri: axum::http::Uri| {
                let page = page.clone();
                let n = counted.fetch_add(1, Ordering::SeqCst);
                async move { page(n, uri.query().unwrap_or("")) }
            }),
        );
    (serve(app).await, hits)
}

fn health_rows(from: usize, count: usize) -> Vec<serde_json::Value> {
    (from..from + count)
        .map(|id| json!({ "deviceId": id, "healthStatus": "HEALTHY", "offline": false }))
        .collect()
}

fn bounded_client(base: &str, rows: usize, bytes: usize) -> Client {
    let config = ClientConfig {
        max_report_rows: rows,
        max_report_bytes: bytes,
        ..ClientConfig::default()
    };
    Client::new(
        BaseUrl::custom(base).unwrap(),
        Credentials::new("id", "secret".into()),
        config,
    )
    .unwrap()
}

#[tokio::test]
async fn a_report_whose_cursor_never_ends_stops_at_its_row_bound_with_a_clear_error() {
    // Every page has rows and a cursor at a new offset, and never a count.
    let (base, hits) = scripted("/v2/queries/device-health", |n, _| {
        Json(json!({
            "cursor": { "name": "c", "offset": n * 1000, "expires": 4.0e9 },
            "results": health_rows(n * 1000, 1000),
        }))
        .into_response()
    })
    .await;
    let client = bounded_client(&base, 5_000, usize::MAX);
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        client
            .device_health(&ninjaone::DeviceFilter::new())
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("the report stops by itself")
    .unwrap_err();
    assert!(
        matches!(&err, Error::ReportTooLarge { endpoint, limit }
            if endpoint == "/v2/queries/device-health" && limit == "5000 rows"),
        "{err:?}"
    );
    assert!(err.to_string().contains("went past 5000 rows"), "{err}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        6,
        "stopped on the page past the bound"
    );

    let by_bytes = bounded_client(&base, usize::MAX, 100 * 1024);
    let err = by_bytes
        .device_health(&ninjaone::DeviceFilter::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ReportTooLarge { limit, .. } if limit == "100 KiB"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_same_cursor_position_twice_stops_the_report_at_once_without_its_rows_again() {
    let (base, hits) = scripted("/v2/queries/device-health", |_, _| {
        Json(json!({
            "cursor": { "name": "stuck", "offset": 0, "expires": 4.0e9 },
            "results": health_rows(1, 3),
        }))
        .into_response()
    })
    .await;
    let client = bounded_client(&base, usize::MAX, usize::MAX);
    let rows: Vec<_> = client
        .device_health(&ninjaone::DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let ids: Vec<_> = rows.iter().map(|r| r.device_id.unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3], "the repeated page adds nothing");
}

#[tokio::test]
async fn a_ten_megabyte_field_and_100000_nested_brackets_are_answered_without_a_panic() {
    let long = "x".repeat(10 * 1024 * 1024);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let items = format!(
        r#"[{{"id": 1, "uid": "u-1", "systemName": "{long}"}}, {{"id": 2, "uid": "u-2", "notes": {nested}}}, {{"id": 3, "uid": "u-3"}}]"#
    );
    let (base, _) = scripted("/v2/devices-detailed", move |n, _| {
        let body = if n == 0 { items.clone() } else { "[]".into() };
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    })
    .await;
    let client = bounded_client(&base, usize::MAX, usize::MAX);
    let read: Result<Vec<_>, _> = client
        .devices_detailed_read(&ninjaone::DeviceFilter::new())
        .try_collect()
        .await;
    match read {
        // serde_json refuses nesting past 128 levels: the page is refused as a whole, with
        // a message, and nothing panics.
        Err(err) => assert!(matches!(err, Error::UnexpectedBody { .. }), "{err:?}"),
        Ok(devices) => {
            assert_eq!(
                devices[0].item.system_name.as_deref().map(str::len),
                Some(long.len())
            );
        }
    }
    let (base, _) = scripted("/v2/devices-detailed", move |n, _| {
        let body = if n == 0 {
            format!(
                r#"[{{"id": 1, "uid": "u-1", "systemName": "{}"}}]"#,
                "y".repeat(10 * 1024 * 1024)
            )
        } else {
            "[]".into()
        };
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    })
    .await;
    let client = bounded_client(&base, usize::MAX, usize::MAX);
    let devices: Vec<_> = client
        .devices_detailed(&ninjaone::DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(
        devices[0].system_name.as_ref().map(String::len),
        Some(10 * 1024 * 1024)
    );
}

//! The client against the NinjaOne simulator over loopback: sign-in and every token failure,
//! each paging style, token expiry, every fault mode, rate limits, and convergence to the
//! same data under injected faults.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use ninjaone::clock::ManualClock;
use ninjaone::models::{ApprovalStatus, NodeClass};
use ninjaone::rate_limit::Budget;
use ninjaone::{
    BaseUrl, Client, ClientConfig, Credentials, DeviceFilter, Error, RateBudgets, RetryPolicy,
    Wait, WaitReason,
};
use ninjaone_sim::{FaultKind, Faults, RateLimit, SimConfig, Simulator};

fn fast_config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(3),
        retry: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
        },
        page_size: 7,
        ..ClientConfig::default()
    }
}

async fn sim(config: SimConfig) -> Simulator {
    Simulator::start(config)
        .await
        .expect("simulator starts on loopback")
}

/// A default simulated tenant of `orgs` organizations with `devices_per_org` devices each.
async fn tenant(orgs: usize, devices_per_org: usize) -> Simulator {
    sim(SimConfig {
        orgs,
        devices_per_org,
        ..SimConfig::default()
    })
    .await
}

fn client_for(sim: &Simulator, config: ClientConfig) -> Client {
    client_with(sim, "sim-client", "sim-secret", config)
}

fn client_with(sim: &Simulator, id: &str, secret: &str, config: ClientConfig) -> Client {
    let base = BaseUrl::custom(&sim.base_url()).unwrap();
    Client::new(base, Credentials::new(id, secret.into()), config).unwrap()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> Option<i64>) -> Vec<i64> {
    items.iter().filter_map(id).collect()
}

#[tokio::test]
async fn sign_in_reports_granted_scopes_and_flags_excess_ones() {
    let least = sim(SimConfig::default()).await;
    let grant = client_for(&least, fast_config()).sign_in().await.unwrap();
    assert_eq!(grant.scopes, vec!["monitoring"]);
    assert!(grant.excess_scopes().is_empty());

    let broad = sim(SimConfig {
        granted_scopes: "monitoring management control".into(),
        ..SimConfig::default()
    })
    .await;
    let grant = client_for(&broad, fast_config()).sign_in().await.unwrap();
    assert_eq!(grant.excess_scopes(), vec!["management", "control"]);
}

#[tokio::test]
async fn unknown_client_id_is_reported_as_wrong_client_or_region() {
    let sim = sim(SimConfig::default()).await;
    let err = client_with(&sim, "nobody", "sim-secret", fast_config())
        .sign_in()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidClient { .. }), "{err:?}");
    assert!(err.to_string().contains("region"), "{err}");
}

#[tokio::test]
async fn wrong_secret_is_reported_without_repeating_it() {
    let sim = sim(SimConfig::default()).await;
    let err = client_with(&sim, "sim-client", "not-the-secret-42", fast_config())
        .sign_in()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongSecret { .. }), "{err:?}");
    assert!(!err.to_string().contains("not-the-secret-42"));
    assert!(!format!("{err:?}").contains("not-the-secret-42"));
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = BaseUrl::custom(&format!("http://127.0.0.1:{port}")).unwrap();
    let mut config = fast_config();
    config.retry.max_attempts = 2;
    let client = Client::new(base, Credentials::new("a", "b".into()), config).unwrap();
    let err = client.sign_in().await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() {
    let sim = sim(SimConfig::default()).await;
    let https = sim.base_url().replace("http://", "https://");
    let client = Client::new(
        BaseUrl::custom(&https).unwrap(),
        Credentials::new("sim-client", "sim-secret".into()),
        fast_config(),
    )
    .unwrap();
    let err = client.sign_in().await.unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn an_address_that_does_not_resolve_is_unreachable_whatever_its_name_says() {
    // `.invalid` never resolves (RFC 6761); the words "ssl" and "tls" in the name must not
    // make a DNS failure look like a TLS one.
    let mut config = fast_config();
    config.retry.max_attempts = 1;
    let client = Client::new(
        BaseUrl::custom("https://ssl-gateway.tls-proxy.invalid").unwrap(),
        Credentials::new("a", "b".into()),
        config,
    )
    .unwrap();
    let err = client.sign_in().await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn id_paging_returns_every_organization_and_device_once() {
    let sim = tenant(4, 9).await;
    let client = client_for(&sim, fast_config());
    let orgs: Vec<_> = client.organizations().try_collect().await.unwrap();
    assert_eq!(
        ids(&orgs, |o| o.id),
        ids(&sim.control().organizations(), |o| o.id)
    );

    let devices: Vec<_> = client
        .devices_detailed(&DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    let expected = ids(&sim.control().devices(), |d| d.id);
    assert_eq!(
        ids(&devices, |d| d.id),
        expected,
        "ascending, complete, no duplicates"
    );
    assert_eq!(expected.len(), 36);
    // 36 devices at 7 per page: 6 pages (the last one short).
    assert_eq!(
        sim.control().stats().requests_by_endpoint["GET /v2/devices-detailed"],
        6
    );
}

#[tokio::test]
async fn df_filters_select_organizations_classes_and_approval() {
    let sim = tenant(3, 12).await;
    let client = client_for(&sim, fast_config());
    let all = sim.control().devices();
    let org = all[0].organization_id.unwrap();
    let df = DeviceFilter::new()
        .org_in([org])
        .status(&ApprovalStatus::Approved);
    let got: Vec<_> = client.devices(&df).try_collect().await.unwrap();
    let expected: Vec<i64> = all
        .iter()
        .filter(|d| {
            d.organization_id == Some(org) && d.approval_status == Some(ApprovalStatus::Approved)
        })
        .filter_map(|d| d.id)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&got, |d| d.id), expected);

    let macs: Vec<_> = client
        .devices(&DeviceFilter::new().class_in(&[NodeClass::Mac]))
        .try_collect()
        .await
        .unwrap();
    assert!(macs.iter().all(|d| d.node_class == Some(NodeClass::Mac)));
}

#[tokio::test]
async fn cursor_paging_returns_every_report_row_once() {
    let sim = tenant(2, 15).await;
    let client = client_for(&sim, fast_config());
    let volumes: Vec<_> = client
        .volumes(&DeviceFilter::new(), true)
        .try_collect()
        .await
        .unwrap();
    let keys: BTreeSet<(i64, String)> = volumes
        .iter()
        .map(|v| (v.device_id.unwrap(), v.name.clone().unwrap_or_default()))
        .collect();
    assert_eq!(keys.len(), volumes.len(), "no row twice");
    assert!(volumes.len() > 7, "the tenant must need several pages");
    assert!(
        volumes.iter().any(|v| v.bit_locker_status.is_some()),
        "include=bl adds BitLocker"
    );
    let pages = sim.control().stats().requests_by_endpoint["GET /v2/queries/volumes"];
    assert_eq!(pages as usize, volumes.len().div_ceil(7));

    let without_bl: Vec<_> = client
        .volumes(&DeviceFilter::new(), false)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(without_bl.len(), volumes.len());
    assert!(without_bl.iter().all(|v| v.bit_locker_status.is_none()));
}

#[tokio::test]
async fn an_expired_cursor_restarts_the_report_without_losing_or_repeating_rows() {
    let sim = tenant(2, 15).await;
    let client = client_for(&sim, fast_config());
    let expected: Vec<_> = client
        .device_health(&DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();

    let mut stream = Box::pin(client.device_health(&DeviceFilter::new()));
    let mut got = Vec::new();
    for _ in 0..10 {
        got.push(stream.next().await.unwrap().unwrap());
    }
    sim.control().expire_cursors();
    while let Some(row) = stream.next().await {
        got.push(row.unwrap());
    }
    assert_eq!(ids(&got, |r| r.device_id), ids(&expected, |r| r.device_id));
}

#[tokio::test]
async fn activities_page_newest_first_and_poll_incrementally() {
    let sim = tenant(2, 10).await;
    let client = client_for(&sim, fast_config());
    let all: Vec<_> = client
        .activities(&ninjaone::ActivityQuery::default())
        .try_collect()
        .await
        .unwrap();
    let all_ids = ids(&all, |a| a.id);
    assert!(all_ids.len() > 7, "several pages of activities");
    assert!(
        all_ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );

    let newest = all_ids[0];
    let added = sim.control().append_activity(ninjaone::models::Activity {
        device_id: sim.control().devices()[0].id,
        activity_type: Some(ninjaone::models::ActivityType::Condition),
        status_code: Some("TRIGGERED".into()),
        series_uid: Some("series-new".into()),
        ..Default::default()
    });
    let fresh: Vec<_> = client
        .activities(&ninjaone::ActivityQuery {
            newer_than: Some(newest),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&fresh, |a| a.id), vec![added]);
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once_and_the_call_succeeds() {
    let sim = sim(SimConfig::default()).await;
    let client = client_for(&sim, fast_config());
    let first = client
        .device(sim.control().devices()[0].id.unwrap())
        .await
        .unwrap();
    sim.control().expire_tokens();
    let again = client.device(first.id.unwrap()).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(client.stats().token_requests, 2);
}

#[tokio::test]
async fn the_configured_clock_decides_when_the_token_is_renewed() {
    // The simulator and the client share one manual clock, as the engine and NinjaOne
    // share the real time: the simulator's token lives 3,600 s on it, and the client
    // renews 60 s before that.
    let clock = Arc::new(ManualClock::starting_now());
    let sim = sim(SimConfig {
        clock: clock.clone(),
        ..SimConfig::default()
    })
    .await;
    let client = client_for(
        &sim,
        ClientConfig {
            clock: clock.clone(),
            ..fast_config()
        },
    );
    let id = sim.control().devices()[0].id.unwrap();
    client.device(id).await.unwrap();
    clock.advance(Duration::from_secs(3539));
    client.device(id).await.unwrap();
    assert_eq!(
        client.stats().token_requests,
        1,
        "a token outside the margin is reused"
    );
    clock.advance(Duration::from_secs(2));
    client.device(id).await.unwrap();
    assert_eq!(
        client.stats().token_requests,
        2,
        "renewed within the margin"
    );
    assert_eq!(client.stats().requests, 5, "no request was spent on a 401");
    clock.advance(Duration::from_secs(3539));
    client.device(id).await.unwrap();
    assert_eq!(client.stats().token_requests, 2);
    assert_eq!(client.stats().requests, 6);
}

#[tokio::test]
async fn a_missing_device_is_not_found() {
    let sim = sim(SimConfig::default()).await;
    let err = client_for(&sim, fast_config())
        .device(987_654)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn with_every_request_faulted(kind: FaultKind, attempts: u32) -> (Error, u64) {
    let sim = sim(SimConfig::default()).await;
    let mut config = fast_config();
    config.retry.max_attempts = attempts;
    config.timeout = Duration::from_millis(300);
    let client = client_for(&sim, config);
    client.sign_in().await.unwrap();
    sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![kind],
        include_token_endpoint: false,
    });
    let err = client
        .organizations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    (
        err,
        sim.control().stats().requests_by_endpoint["GET /v2/organizations"],
    )
}

#[tokio::test]
async fn persistent_throttling_gives_up_after_the_retry_budget() {
    for kind in [
        FaultKind::TooManyRequests {
            retry_after_secs: 0,
        },
        FaultKind::Unavailable,
        FaultKind::HtmlOk,
    ] {
        let (err, requests) = with_every_request_faulted(kind.clone(), 3).await;
        assert!(
            matches!(err, Error::Throttled { attempts: 3, .. }),
            "{kind:?}: {err:?}"
        );
        assert_eq!(requests, 3, "{kind:?}: exactly the retry budget is spent");
    }
}

#[tokio::test]
async fn dropped_connections_and_timeouts_are_retried_then_reported() {
    let (err, requests) = with_every_request_faulted(FaultKind::DropConnection, 3).await;
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert_eq!(requests, 3);
    let (err, _) = with_every_request_faulted(FaultKind::Latency { millis: 2_000 }, 2).await;
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn a_malformed_item_is_skipped_and_counted_not_fatal() {
    let sim = tenant(2, 10).await;
    let client = client_for(&sim, fast_config());
    client.sign_in().await.unwrap();
    sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::MalformedJson],
        include_token_endpoint: false,
    });
    let devices: Vec<_> = client
        .devices(&DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    let pages = sim.control().stats().requests_by_endpoint["GET /v2/devices"];
    assert_eq!(client.stats().malformed_items, pages);
    assert_eq!(devices.len() as u64 + pages, 20);
}

#[tokio::test]
async fn ten_percent_faults_converge_to_the_same_data() {
    let sim = tenant(5, 20).await;
    let client = client_for(&sim, fast_config());
    let clean: Vec<_> = client
        .devices_detailed(&DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    let clean_volumes: Vec<_> = client
        .volumes(&DeviceFilter::new(), true)
        .try_collect()
        .await
        .unwrap();

    sim.control().set_faults(Faults {
        probability: 0.10,
        kinds: vec![
            FaultKind::TooManyRequests {
                retry_after_secs: 0,
            },
            FaultKind::Unavailable,
            FaultKind::HtmlOk,
            FaultKind::DropConnection,
            FaultKind::Latency { millis: 20 },
        ],
        include_token_endpoint: true,
    });
    let faulty = client_for(&sim, fast_config());
    let devices: Vec<_> = faulty
        .devices_detailed(&DeviceFilter::new())
        .try_collect()
        .await
        .unwrap();
    let volumes: Vec<_> = faulty
        .volumes(&DeviceFilter::new(), true)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(devices, clean);
    assert_eq!(volumes, clean_volumes);
    assert!(
        sim.control().stats().throttles_served > 0 || faulty.stats().retries > 0,
        "faults were injected"
    );
}

#[tokio::test]
async fn the_client_never_exceeds_the_servers_rate_limit() {
    let sim = tenant(3, 20).await;
    let window = Duration::from_millis(500);
    sim.control().set_rate_limit(Some(RateLimit {
        max: 6,
        per: window,
    }));
    sim.control().set_stats_window(window);
    let config = ClientConfig {
        rate_budgets: Arc::new(RateBudgets::new(vec![Budget {
            max: 6,
            per: window,
        }])),
        ..fast_config()
    };
    let client = client_for(&sim, config);
    // Two streams at once share the tenant's budget.
    let (a, b) = tokio::join!(
        client.devices(&DeviceFilter::new()).try_collect::<Vec<_>>(),
        client.organizations().try_collect::<Vec<_>>(),
    );
    assert_eq!(a.unwrap().len(), 60);
    assert_eq!(b.unwrap().len(), 3);
    let stats = sim.control().stats();
    assert!(
        stats.total_requests >= 10,
        "enough requests to hit the limit: {}",
        stats.total_requests
    );
    assert_eq!(
        stats.throttles_served, 0,
        "the server never had to throttle"
    );
    assert!(stats.max_requests_in_window <= 6, "{stats:?}");
}

#[tokio::test]
async fn a_body_that_does_not_fit_is_reported_with_endpoint_and_excerpt() {
    let sim = sim(SimConfig::default()).await;
    let client = client_for(&sim, fast_config());
    // Organizations are objects, not numbers: decoding them as numbers must fail cleanly.
    let err = client
        .get_json::<Vec<i64>>("/v2/organizations", &[])
        .await
        .unwrap_err();
    match &err {
        Error::UnexpectedBody {
            endpoint,
            status,
            excerpt,
        } => {
            assert_eq!(endpoint, "/v2/organizations");
            assert_eq!(*status, 200);
            assert!(excerpt.contains("body starts ["), "{excerpt}");
            assert!(
                excerpt.chars().count() < 400,
                "an excerpt, not the whole body"
            );
        }
        other => panic!("expected UnexpectedBody, got {other:?}"),
    }
    assert!(!format!("{err}{err:?}").contains("sim-secret"));
}

#[tokio::test]
async fn throttling_waits_are_announced_with_their_attempt_numbers() {
    let sim = sim(SimConfig::default()).await;
    let heard: Arc<Mutex<Vec<Wait>>> = Arc::default();
    let observer = heard.clone();
    let mut config = fast_config();
    config.retry.max_attempts = 3;
    config.on_wait = Some(Arc::new(move |wait: &Wait| {
        observer.lock().unwrap().push(wait.clone())
    }));
    let client = client_for(&sim, config);
    client.sign_in().await.unwrap();
    sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::TooManyRequests {
            retry_after_secs: 1,
        }],
        include_token_endpoint: false,
    });
    let err = client
        .organizations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Throttled { attempts: 3, .. }),
        "{err:?}"
    );
    let heard = heard.lock().unwrap().clone();
    let attempts: Vec<(u32, u32)> = heard.iter().map(|w| (w.attempt, w.max_attempts)).collect();
    assert_eq!(
        attempts,
        vec![(2, 3), (3, 3)],
        "one announcement before each retry"
    );
    for wait in &heard {
        assert_eq!(wait.endpoint, "/v2/organizations");
        assert_eq!(wait.reason, WaitReason::AskedToWait);
        // Retry-After: 1, capped by the test policy's 100 ms maximum.
        assert_eq!(wait.delay, Duration::from_millis(100));
    }
    assert_eq!(
        heard[0].to_string(),
        "NinjaOne asked to wait 0.1 s before answering /v2/organizations (attempt 2 of 3)"
    );
}

#[tokio::test]
async fn a_request_dropped_mid_flight_leaves_the_client_usable() {
    let sim = sim(SimConfig::default()).await;
    let client = client_for(&sim, fast_config());
    sim.control().set_faults(Faults {
        probability: 1.0,
        kinds: vec![FaultKind::Latency { millis: 2_000 }],
        include_token_endpoint: true,
    });
    // Dropped while it holds the token lock, waiting for the token endpoint.
    let abandoned = tokio::time::timeout(
        Duration::from_millis(50),
        client.organizations().try_collect::<Vec<_>>(),
    )
    .await;
    assert!(abandoned.is_err(), "the request was still in flight");
    sim.control().clear_faults();
    let orgs: Vec<_> = tokio::time::timeout(
        Duration::from_secs(2),
        client.organizations().try_collect::<Vec<_>>(),
    )
    .await
    .expect("the token lock was released with the dropped request")
    .unwrap();
    assert_eq!(orgs.len(), sim.control().organizations().len());
}

#[tokio::test]
async fn an_api_answer_over_the_configured_limit_is_refused_not_read() {
    let sim = tenant(2, 10).await;
    let client = client_for(
        &sim,
        ClientConfig {
            max_body_bytes: 1024,
            ..fast_config()
        },
    );
    let err = client
        .devices_detailed(&DeviceFilter::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match &err {
        Error::AnswerTooLarge {
            endpoint,
            limit_bytes,
        } => {
            assert_eq!(endpoint, "/v2/devices-detailed");
            assert_eq!(*limit_bytes, 1024);
        }
        other => panic!("expected AnswerTooLarge, got {other:?}"),
    }
    assert_eq!(
        client.stats().retries,
        0,
        "a too-large answer is not retried"
    );
}

/// Collects what the client logs, to check warnings a technician's log would show.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn a_rate_limit_budget_below_100_is_logged_as_a_warning() {
    let sim = sim(SimConfig::default()).await;
    // The token request leaves 100, the organizations request 99.
    sim.control().set_rate_limit(Some(RateLimit {
        max: 101,
        per: Duration::from_secs(60),
    }));
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let client = client_for(&sim, fast_config());
    client.sign_in().await.unwrap();
    let before = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !before.contains("running low"),
        "100 left is not low yet: {before}"
    );
    client
        .organizations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("rate-limit budget is running low"), "{log}");
    assert!(log.contains("remaining=99"), "{log}");
}

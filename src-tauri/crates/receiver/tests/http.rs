//! The receiver contract (SPEC §7) over real loopback HTTP: every answer, and that nothing
//! from a rejected request reaches the store.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fleetward_receiver::{sign, EngineSink, Receiver, ReceiverConfig, Sink, BODY_LIMIT};
use ninjaone::models::Activity;
use ninjaone::secrecy::SecretString;
use proptest::prelude::*;
use tokio::sync::{Notify, Semaphore};

const SECRET: &str = "test-secret-0123456789";

/// Records what reaches the engine. Its journal is a list; with `gate`, each processing
/// waits for a permit, so accepted work piles up; with `journal_gate`, each journaling does,
/// so the queue can be filled.
#[derive(Default)]
struct Recorder {
    journal: Mutex<Vec<Activity>>,
    /// Every id ever journaled, in order: what a `202` must have been preceded by.
    kept: Mutex<Vec<i64>>,
    ingested: Mutex<Vec<i64>>,
    done: Notify,
    gate: Option<Semaphore>,
    journal_gate: Option<Semaphore>,
    journal_calls: AtomicUsize,
    journal_fails: AtomicBool,
}

impl Sink for Recorder {
    fn seen(
        &self,
        ids: Vec<i64>,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<i64>, String>> + Send + '_>> {
        Box::pin(async move {
            let done = self.ingested.lock().unwrap();
            Ok(ids.into_iter().filter(|id| done.contains(id)).collect())
        })
    }

    fn journal(
        &self,
        activities: Vec<Activity>,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            self.journal_calls.fetch_add(1, Ordering::SeqCst);
            if let Some(gate) = &self.journal_gate {
                gate.acquire().await.unwrap().forget();
            }
            if self.journal_fails.load(Ordering::SeqCst) {
                return Err("the disk is full".into());
            }
            self.kept
                .lock()
                .unwrap()
                .extend(activities.iter().filter_map(|a| a.id));
            self.journal.lock().unwrap().extend(activities);
            Ok(())
        })
    }

    fn process(
        &self,
        limit: usize,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<i64>, String>> + Send + '_>> {
        Box::pin(async move {
            if self.journal.lock().unwrap().is_empty() {
                return Ok(Vec::new());
            }
            if let Some(gate) = &self.gate {
                gate.acquire().await.unwrap().forget();
            }
            let taken: Vec<Activity> = {
                let mut journal = self.journal.lock().unwrap();
                let n = journal.len().min(limit);
                journal.drain(..n).collect()
            };
            let ids: Vec<i64> = taken.iter().filter_map(|a| a.id).collect();
            self.ingested.lock().unwrap().extend(&ids);
            self.done.notify_waiters();
            Ok(ids)
        })
    }

    fn journaled(&self) -> Pin<Box<dyn Future<Output = Result<u64, String>> + Send + '_>> {
        Box::pin(async move { Ok(self.journal.lock().unwrap().len() as u64) })
    }
}

fn config(require_signature: bool, queue_capacity: usize) -> ReceiverConfig {
    ReceiverConfig {
        require_signature,
        queue_capacity,
        ..ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), SecretString::from(SECRET))
    }
}

async fn start(sink: Arc<Recorder>, require_signature: bool, queue: usize) -> Receiver {
    Receiver::start(config(require_signature, queue), sink)
        .await
        .unwrap()
}

fn activity(id: i64) -> String {
    format!(
        r#"{{"id": {id}, "activityType": "CONDITION", "statusCode": "TRIGGERED", "seriesUid": "s-{id}", "deviceId": 1}}"#
    )
}

async fn post(
    r: &Receiver,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(r.url()).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// Waits (bounded) until the recorder has `n` activities.
async fn processed(sink: &Recorder, n: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let notified = sink.done.notified();
            if sink.ingested.lock().unwrap().len() >= n {
                return;
            }
            notified.await;
        }
    })
    .await
    .expect("the receiver's worker processed the delivery");
}

#[tokio::test]
async fn an_activity_is_accepted_with_202_and_a_repeat_answers_200() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink.clone(), false, 16).await;
    let first = post(&r, activity(1), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(first.status(), 202);
    processed(&sink, 1).await;
    let again = post(
        &r,
        activity(1),
        &[("Authorization", &format!("Bearer {SECRET}"))],
    )
    .await;
    assert_eq!(again.status(), 200);
    let array = post(
        &r,
        format!("[{}, {}]", activity(2), activity(3)),
        &[("X-Fleetward-Secret", SECRET)],
    )
    .await;
    assert_eq!(array.status(), 202);
    let put = reqwest::Client::new()
        .put(r.url())
        .header("X-Fleetward-Secret", SECRET)
        .body(activity(4))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 202);
    processed(&sink, 4).await;
    assert_eq!(*sink.ingested.lock().unwrap(), vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn a_missing_or_wrong_secret_or_signature_is_401_and_nothing_is_queued() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink.clone(), false, 16).await;
    let body = activity(7);
    assert_eq!(post(&r, body.clone(), &[]).await.status(), 401);
    assert_eq!(
        post(&r, body.clone(), &[("X-Fleetward-Secret", "nope")])
            .await
            .status(),
        401
    );
    assert_eq!(
        post(&r, body.clone(), &[("Authorization", "Bearer nope")])
            .await
            .status(),
        401
    );
    let wrong = sign(b"another body", &SecretString::from(SECRET));
    assert_eq!(
        post(
            &r,
            body.clone(),
            &[
                ("X-Fleetward-Secret", SECRET),
                ("X-Fleetward-Signature", &wrong)
            ]
        )
        .await
        .status(),
        401
    );
    let signed = sign(body.as_bytes(), &SecretString::from(SECRET));
    assert_eq!(
        post(
            &r,
            body.clone(),
            &[
                ("X-Fleetward-Secret", SECRET),
                ("X-Fleetward-Signature", &signed)
            ]
        )
        .await
        .status(),
        202,
        "a correct signature passes"
    );
    processed(&sink, 1).await;
    assert_eq!(*sink.ingested.lock().unwrap(), vec![7]);
}

#[tokio::test]
async fn a_required_signature_must_be_present() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink.clone(), true, 16).await;
    let body = activity(8);
    let unsigned = post(&r, body.clone(), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(unsigned.status(), 401);
    assert!(unsigned.text().await.unwrap().contains("missing signature"));
    let signed = sign(body.as_bytes(), &SecretString::from(SECRET));
    let ok = post(
        &r,
        body,
        &[
            ("X-Fleetward-Secret", SECRET),
            ("X-Fleetward-Signature", &signed),
        ],
    )
    .await;
    assert_eq!(ok.status(), 202);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_even_without_a_length() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink.clone(), false, 16).await;
    let big = format!("[{}{}]", activity(9), " ".repeat(BODY_LIMIT));
    assert_eq!(
        post(&r, big.clone(), &[("X-Fleetward-Secret", SECRET)])
            .await
            .status(),
        413
    );
    // Chunked, with no Content-Length to go by.
    let chunks = futures::stream::iter(
        big.into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let streamed = post(
        &r,
        reqwest::Body::wrap_stream(chunks),
        &[("X-Fleetward-Secret", SECRET)],
    )
    .await;
    assert_eq!(streamed.status(), 413);
    assert!(sink.ingested.lock().unwrap().is_empty());
}

#[tokio::test]
async fn not_json_or_not_an_activity_is_400_with_a_short_reason() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink.clone(), false, 16).await;
    for (body, reason) in [
        ("<html>", "not JSON"),
        ("[]", "empty"),
        ("[1, 2]", "not an activity"),
        (r#"{"statusCode": "TRIGGERED"}"#, "id"),
    ] {
        let answer = post(&r, body, &[("X-Fleetward-Secret", SECRET)]).await;
        assert_eq!(answer.status(), 400, "{body}");
        let text = answer.text().await.unwrap();
        assert!(text.contains(reason), "{text}");
        assert!(text.len() < 300, "short: {text}");
    }
    assert!(sink.ingested.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_full_queue_answers_429_with_retry_after_and_keeps_nothing() {
    let sink = Arc::new(Recorder {
        journal_gate: Some(Semaphore::new(0)),
        ..Recorder::default()
    });
    let r = Arc::new(start(sink.clone(), false, 1).await);
    // The keeper takes the first delivery and waits at the gate; the second fills the queue.
    let first = tokio::spawn({
        let r = r.clone();
        async move { post(&r, activity(10), &[("X-Fleetward-Secret", SECRET)]).await }
    });
    until(|| sink.journal_calls.load(Ordering::SeqCst) == 1).await;
    let second = tokio::spawn({
        let r = r.clone();
        async move { post(&r, activity(11), &[("X-Fleetward-Secret", SECRET)]).await }
    });
    until(|| r.queued() == 2).await;
    let refused = post(&r, activity(12), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["retry-after"],
        fleetward_receiver::RETRY_AFTER_SECS.to_string().as_str()
    );
    sink.journal_gate.as_ref().unwrap().add_permits(100);
    assert_eq!(first.await.unwrap().status(), 202);
    assert_eq!(second.await.unwrap().status(), 202);
    processed(&sink, 2).await;
    assert_eq!(
        *sink.ingested.lock().unwrap(),
        vec![10, 11],
        "the refused delivery was not kept"
    );
}

/// Waits (bounded) until `done` holds.
async fn until(done: impl Fn() -> bool) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the receiver got there");
}

#[tokio::test]
async fn large_deliveries_are_bounded_by_activities_queued_not_only_by_deliveries() {
    let sink = Arc::new(Recorder {
        gate: Some(Semaphore::new(0)),
        ..Recorder::default()
    });
    let r = start(sink.clone(), false, 64).await;
    let per_delivery = 10_000;
    let mut statuses = Vec::new();
    for delivery in 0..6 {
        let first = 1_000_000 + delivery * per_delivery;
        let body = format!(
            "[{}]",
            (first..first + per_delivery)
                .map(|id| format!(r#"{{"id":{id},"statusCode":"TRIGGERED"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(body.len() < BODY_LIMIT);
        let answer = post(&r, body, &[("X-Fleetward-Secret", SECRET)]).await;
        statuses.push(answer.status().as_u16());
    }
    // The queue has room for 64 deliveries, but not for more than the activity bound.
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    assert_eq!(
        accepted,
        fleetward_receiver::MAX_QUEUED_ACTIVITIES / per_delivery as usize,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
    sink.gate.as_ref().unwrap().add_permits(100);
    processed(&sink, accepted).await;
}

#[tokio::test]
async fn healthz_answers_200_without_a_secret_and_says_nothing_else() {
    let sink = Arc::new(Recorder::default());
    let r = start(sink, false, 16).await;
    let answer = reqwest::get(format!("http://{}/healthz", r.local_addr()))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().is_empty());
    let other = reqwest::get(format!("http://{}/ninjaone/webhook", r.local_addr()))
        .await
        .unwrap();
    assert_eq!(other.status(), 405);
}

#[tokio::test]
async fn through_the_engine_a_rejected_request_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        fleetward_core::Engine::start(fleetward_core::testing::config(dir.path().join("data")))
            .await
            .unwrap();
    let r = Receiver::start(config(false, 16), Arc::new(EngineSink(engine.clone())))
        .await
        .unwrap();
    assert_eq!(
        post(&r, activity(21), &[("X-Fleetward-Secret", "bad")])
            .await
            .status(),
        401
    );
    assert_eq!(
        post(
            &r,
            "{\"id\": 22, \"deviceId\": \"x\"}",
            &[("X-Fleetward-Secret", SECRET)]
        )
        .await
        .status(),
        400
    );
    assert!(engine.activities_seen(&[21, 22]).await.unwrap().is_empty());
    assert!(engine
        .incidents(fleetward_core::incidents::StatusFilter::All)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_202_comes_only_after_the_delivery_is_journaled() {
    let sink = Arc::new(Recorder {
        gate: Some(Semaphore::new(0)),
        ..Recorder::default()
    });
    let r = Arc::new(start(sink.clone(), false, 64).await);
    let senders: Vec<_> = (0..20)
        .map(|n| {
            let (r, sink) = (r.clone(), sink.clone());
            tokio::spawn(async move {
                let ids = [100 + 2 * n, 101 + 2 * n];
                let body = format!("[{}, {}]", activity(ids[0]), activity(ids[1]));
                let answer = post(&r, body, &[("X-Fleetward-Secret", SECRET)]).await;
                assert_eq!(answer.status(), 202);
                let kept = sink.kept.lock().unwrap();
                assert!(
                    ids.iter().all(|id| kept.contains(id)),
                    "answered before kept"
                );
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    assert!(
        sink.ingested.lock().unwrap().is_empty(),
        "the answers did not wait for processing"
    );
    assert!(
        sink.journal_calls.load(Ordering::SeqCst) < 20,
        "waiting deliveries share a transaction"
    );
    sink.gate.as_ref().unwrap().add_permits(100);
    processed(&sink, 40).await;
}

#[tokio::test]
async fn a_store_that_cannot_journal_answers_429_never_202_and_a_retry_is_accepted() {
    let sink = Arc::new(Recorder::default());
    sink.journal_fails.store(true, Ordering::SeqCst);
    let r = start(sink.clone(), false, 16).await;
    let refused = post(&r, activity(30), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused.text().await.unwrap().contains("could not keep"));
    assert_eq!(r.queued(), 0, "a refused delivery is not held");
    sink.journal_fails.store(false, Ordering::SeqCst);
    let retried = post(&r, activity(30), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(
        retried.status(),
        202,
        "the relay's retry is not 'already seen'"
    );
    processed(&sink, 1).await;
}

#[tokio::test]
async fn a_stop_processes_everything_answered_202_before_it_returns() {
    let sink = Arc::new(Recorder {
        gate: Some(Semaphore::new(0)),
        ..Recorder::default()
    });
    let r = start(sink.clone(), false, 64).await;
    for id in 40..50 {
        let answer = post(&r, activity(id), &[("X-Fleetward-Secret", SECRET)]).await;
        assert_eq!(answer.status(), 202);
    }
    assert!(sink.ingested.lock().unwrap().len() < 10);
    let stopping = tokio::spawn(r.stop());
    sink.gate.as_ref().unwrap().add_permits(100);
    let report = tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the stop finished")
        .unwrap();
    assert_eq!(report.left, Some(0));
    let mut ingested = sink.ingested.lock().unwrap().clone();
    ingested.sort_unstable();
    assert_eq!(ingested, (40..50).collect::<Vec<_>>());
}

#[tokio::test]
async fn what_a_killed_receiver_left_journaled_is_processed_at_start() {
    let sink = Arc::new(Recorder::default());
    sink.journal
        .lock()
        .unwrap()
        .extend((60..63).map(|id| Activity {
            id: Some(id),
            ..Activity::default()
        }));
    let r = start(sink.clone(), false, 16).await;
    processed(&sink, 3).await;
    assert_eq!(*sink.ingested.lock().unwrap(), vec![60, 61, 62]);
    assert_eq!(r.stop().await.left, Some(0));
}

#[tokio::test]
async fn through_the_engine_an_accepted_activity_stays_journaled_until_it_can_be_processed() {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        fleetward_core::Engine::start(fleetward_core::testing::config(dir.path().join("data")))
            .await
            .unwrap();
    // No NinjaOne connection yet, so the engine cannot place it: it is kept, not dropped.
    let r = Receiver::start(config(false, 16), Arc::new(EngineSink(engine.clone())))
        .await
        .unwrap();
    let answer = post(&r, activity(70), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(answer.status(), 202);
    assert_eq!(engine.journaled_activities().await.unwrap(), 1);
    let again = post(&r, activity(70), &[("X-Fleetward-Secret", SECRET)]).await;
    assert_eq!(
        again.status(),
        200,
        "a journaled activity is not accepted twice"
    );
    let report = r.stop().await;
    assert_eq!(report.left, Some(1), "{report:?}");
    assert_eq!(engine.journaled_activities().await.unwrap(), 1);
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().unwrap())
}

fn shared_receiver() -> &'static (Arc<Recorder>, Receiver) {
    static R: std::sync::OnceLock<(Arc<Recorder>, Receiver)> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let sink = Arc::new(Recorder::default());
        let receiver = runtime().block_on(start(sink.clone(), false, 64));
        (sink, receiver)
    })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("(id|deviceId|statusCode|[a-z]{1,5})", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Arbitrary bytes and arbitrary JSON never crash the receiver, and whatever is not
    /// accepted never reaches the engine.
    #[test]
    fn arbitrary_bodies_never_crash_and_refused_ones_store_nothing(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        value in json_value(),
    ) {
        let (sink, r) = shared_receiver();
        for body in [bytes, serde_json::to_vec(&value).unwrap()] {
            let before = sink.ingested.lock().unwrap().len();
            let status = runtime().block_on(async {
                post(r, body, &[("X-Fleetward-Secret", SECRET)]).await.status().as_u16()
            });
            prop_assert!([200, 202, 400].contains(&status), "status {}", status);
            if status == 202 {
                // Let the accepted delivery land before the next body is judged.
                runtime().block_on(processed(sink, before + 1));
            } else {
                prop_assert_eq!(sink.ingested.lock().unwrap().len(), before);
            }
        }
    }
}

//! Throttling and failure injection. NinjaOne publishes no rate limit and throttles in
//! several ways (ninjaone-api.md §5): 429 with `Retry-After`, 503, and an HTML page served
//! with 200. A client must survive all of them, plus slow answers, dropped connections and
//! the odd item that does not fit the documented shape; these settings make each happen
//! on demand.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Random faults on API requests.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Chance (0.0..=1.0) that a request gets a fault. Control requests (`/_sim`) never do;
    /// the token endpoint only with `include_token_endpoint`.
    pub probability: f64,
    /// One is picked at random per faulted request.
    pub kinds: Vec<FaultKind>,
    pub include_token_endpoint: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FaultKind {
    /// 429 with a `Retry-After` header.
    TooManyRequests { retry_after_secs: u64 },
    /// 503.
    Unavailable,
    /// 200 with `Content-Type: text/html` and a "slow down" page.
    HtmlOk,
    /// The normal answer, after a delay.
    Latency { millis: u64 },
    /// The connection closes before the answer is complete.
    DropConnection,
    /// 200 JSON where one item has a field of the wrong type. Only for endpoints that answer
    /// with a list; elsewhere it behaves as [`FaultKind::Unavailable`].
    MalformedJson,
    /// 200 JSON where the first item's `field` is `value` (drift: `"created": "yesterday"`,
    /// a negative `id`). Only for list answers; others pass unchanged.
    FieldDrift {
        field: String,
        value: serde_json::Value,
    },
    /// 200 JSON where every item of a list answer comes twice, as when pages overlap.
    RepeatedItems,
    /// A report (`/v2/queries/…`) that never ends: each answer has rows (the first page's
    /// again once the real ones run out) and a cursor at a new offset, without a count.
    EndlessReport,
}

/// At most `max` requests per `per`, over a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: usize,
    pub per: Duration,
}

/// The fault settings and the generator that decides which request gets one. Seeded, so a
/// run with the same seed and request order sees the same faults.
pub(crate) struct FaultInjector {
    faults: Option<Faults>,
    rng: ChaCha8Rng,
}

impl FaultInjector {
    pub fn new(rng: ChaCha8Rng) -> FaultInjector {
        FaultInjector { faults: None, rng }
    }

    pub fn set(&mut self, faults: Option<Faults>) {
        self.faults = faults;
    }

    /// The fault for this request, if any.
    pub fn draw(&mut self, token_endpoint: bool) -> Option<FaultKind> {
        let faults = self.faults.as_ref()?;
        if faults.kinds.is_empty() || (token_endpoint && !faults.include_token_endpoint) {
            return None;
        }
        let probability = faults.probability.clamp(0.0, 1.0);
        if probability <= 0.0 || !self.rng.random_bool(probability) {
            return None;
        }
        let index = self.rng.random_range(0..faults.kinds.len());
        Some(faults.kinds[index].clone())
    }
}

/// A sliding-window limiter: it remembers when each admitted request arrived.
#[derive(Default)]
pub(crate) struct RateLimiter {
    limit: Option<RateLimit>,
    admitted: VecDeque<Instant>,
}

impl RateLimiter {
    pub fn set(&mut self, limit: Option<RateLimit>) {
        self.limit = limit;
        self.admitted.clear();
    }

    /// Admits the request, with how many more the window allows when a limit is set (sent
    /// as `X-RateLimit-Remaining`), or says how many whole seconds until a slot frees (at
    /// least 1).
    pub fn admit(&mut self, now: Instant) -> Result<Option<usize>, u64> {
        let Some(limit) = self.limit else {
            return Ok(None);
        };
        while self
            .admitted
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= limit.per)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() < limit.max {
            self.admitted.push_back(now);
            return Ok(Some(limit.max - self.admitted.len()));
        }
        let wait = self
            .admitted
            .front()
            .map(|&oldest| (oldest + limit.per).saturating_duration_since(now))
            .unwrap_or(limit.per);
        Err((wait.as_secs_f64().ceil() as u64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::tenant_rng;

    #[test]
    fn the_limiter_admits_max_per_window_then_names_the_wait() {
        let mut limiter = RateLimiter::default();
        limiter.set(Some(RateLimit {
            max: 2,
            per: Duration::from_millis(2500),
        }));
        let start = Instant::now();
        assert_eq!(limiter.admit(start), Ok(Some(1)));
        assert_eq!(limiter.admit(start), Ok(Some(0)));
        assert_eq!(limiter.admit(start), Err(3));
        assert_eq!(limiter.admit(start + Duration::from_millis(2400)), Err(1));
        assert_eq!(
            limiter.admit(start + Duration::from_millis(2500)),
            Ok(Some(1)),
            "both earlier requests have left the window"
        );
    }

    #[test]
    fn faults_follow_probability_and_scope() {
        let mut injector = FaultInjector::new(tenant_rng(1));
        assert!(injector.draw(false).is_none());
        injector.set(Some(Faults {
            probability: 1.0,
            kinds: vec![FaultKind::Unavailable],
            include_token_endpoint: false,
        }));
        assert!(matches!(injector.draw(false), Some(FaultKind::Unavailable)));
        assert!(injector.draw(true).is_none());
        injector.set(Some(Faults {
            probability: 0.0,
            kinds: vec![FaultKind::Unavailable],
            include_token_endpoint: true,
        }));
        assert!(injector.draw(false).is_none());
    }

    #[test]
    fn fault_kinds_read_the_control_api_json() {
        let faults: Faults = serde_json::from_str(
            r#"{"probability":0.5,"kinds":[{"kind":"tooManyRequests","retryAfterSecs":1},{"kind":"htmlOk"},{"kind":"latency","millis":20}],"includeTokenEndpoint":true}"#,
        )
        .unwrap();
        assert!(faults.include_token_endpoint);
        assert!(matches!(
            faults.kinds[0],
            FaultKind::TooManyRequests {
                retry_after_secs: 1
            }
        ));
        assert!(matches!(faults.kinds[2], FaultKind::Latency { millis: 20 }));
    }
}

//! Retrying: how long to wait between attempts, and the loop that sends a request through
//! the tenant's rate limiter until an answer is final or the attempts run out. Throttling
//! (429, 503, an HTML page with 200), 5xx answers, timeouts and dropped connections are
//! retried; everything else fails at once. A `Retry-After` from NinjaOne replaces the
//! backoff and pauses every client of the tenant. Every wait is announced first (see
//! [`Wait`]).

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use super::classify::{self, Retryable};
use super::transport::{Answer, Failure};
use super::{Client, Counters, Wait, WaitReason};
use crate::rate_limit::Hold;
use crate::Result;

/// Rate-limiter waits shorter than this pass silently; longer ones are announced, because a
/// technician watching a sync should know why nothing moves.
const ANNOUNCE_LIMITER_WAITS_FROM: Duration = Duration::from_secs(1);

/// How hard to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first retry waits between half of this and all of it.
    pub base_delay: Duration,
    /// No backoff and no `Retry-After` wait is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The waits before the 2nd, 3rd, … attempt: `max_attempts - 1` of them.
    ///
    /// "Equal jitter": the n-th retry waits a uniformly random time between half of and all
    /// of `min(base_delay · 2^(n-1), max_delay)`, so clients that failed together spread
    /// out, yet none retries at once. The delays come from `backon`'s exponential backoff,
    /// which starts at its minimum delay, doubles it up to its maximum, and with jitter adds
    /// a random 0–100 % of the current delay; giving it half the base and half the maximum
    /// yields exactly the range above.
    pub(super) fn delays(&self) -> impl Iterator<Item = Duration> {
        let max_delay = self.max_delay;
        ExponentialBuilder::new()
            .with_min_delay(self.base_delay / 2)
            .with_max_delay(self.max_delay / 2)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
            // backon computes in f32 seconds and its jitter range is half-open; the cap
            // keeps the promise exact for every policy.
            .map(move |delay| delay.min(max_delay))
    }
}

impl Client {
    /// Sends a request through the rate limiter, retrying throttling, 5xx, timeouts and
    /// dropped connections within the retry policy. Returns the first answer that is not
    /// worth retrying; its body is at most `body_limit` bytes.
    pub(super) async fn execute(
        &self,
        endpoint: &str,
        body_limit: usize,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer> {
        let policy = self.inner.config.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut delays = policy.delays();
        let mut attempt = 1;
        loop {
            let permit = self
                .inner
                .limiter
                .acquire(|delay, hold| {
                    if delay >= ANNOUNCE_LIMITER_WAITS_FROM {
                        self.announce(Wait {
                            endpoint: endpoint.to_string(),
                            reason: match hold {
                                Hold::Budget => WaitReason::RateLimit,
                                Hold::ServerPause => WaitReason::Paused,
                            },
                            delay,
                            attempt,
                            max_attempts,
                        });
                    }
                })
                .await;
            Counters::bump(&self.inner.counters.requests);
            self.inner.counters.bump_path(endpoint);
            let exchanged = self.exchange(endpoint, build(), body_limit, attempt).await;
            drop(permit);
            let retry = match exchanged {
                Ok(answer) => {
                    classify::warn_when_budget_low(&answer.headers, endpoint);
                    match classify::retry_needed(endpoint, &answer, attempt) {
                        None => return Ok(answer),
                        Some(retry) => retry,
                    }
                }
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retry(retry)) => retry,
            };
            let Retryable {
                error,
                reason,
                retry_after,
            } = retry;
            if reason.is_throttling() {
                Counters::bump(&self.inner.counters.throttled);
            }
            let Some(backoff) = delays.next() else {
                return Err(error);
            };
            let delay = retry_after.unwrap_or(backoff).min(policy.max_delay);
            if reason.is_throttling() {
                self.inner.limiter.pause_for(delay);
            }
            Counters::bump(&self.inner.counters.retries);
            tracing::debug!(endpoint, attempt, ?delay, %error, "retrying NinjaOne request");
            attempt += 1;
            self.announce(Wait {
                endpoint: endpoint.to_string(),
                reason,
                delay,
                attempt,
                max_attempts,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// Logs a wait and tells the observer, before the wait starts.
    fn announce(&self, wait: Wait) {
        tracing::info!(
            endpoint = %wait.endpoint,
            delay_ms = wait.delay.as_millis() as u64,
            attempt = wait.attempt,
            max_attempts = wait.max_attempts,
            "{wait}"
        );
        if let Some(observer) = &self.inner.config.on_wait {
            observer(&wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_equal_jitter_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let delays: Vec<Duration> = policy.delays().collect();
            assert_eq!(
                delays.len(),
                9,
                "one wait before each attempt after the first"
            );
            for (n, delay) in delays.iter().enumerate() {
                let ceiling =
                    (Duration::from_millis(100) * 2u32.pow(n as u32)).min(Duration::from_secs(2));
                // f32 arithmetic inside backon: allow a microsecond of rounding.
                let slack = Duration::from_micros(1);
                assert!(
                    *delay + slack >= ceiling / 2 && *delay <= ceiling + slack,
                    "retry {}: {delay:?} outside [{:?}, {ceiling:?}]",
                    n + 1,
                    ceiling / 2
                );
            }
        }
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let policy = RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.delays().count(), 0);
        let none = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(none.delays().count(), 0);
    }
}

//! Waits are announced: before the client sleeps (a retry, or a rate-limit wait over a
//! second) it says why and for how long, to the log and to an optional observer, so that a
//! technician watching a sync sees "NinjaOne asked to wait 30 s" instead of a frozen bar.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Called with every [`Wait`] before it starts. It runs on the request's task: keep it
/// short (forward an event, update a progress line).
pub type WaitObserver = Arc<dyn Fn(&Wait) + Send + Sync>;

/// One wait of the client, announced before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// The API path the wait delays, e.g. `/v2/devices`.
    pub endpoint: String,
    pub reason: WaitReason,
    pub delay: Duration,
    /// The attempt that follows the wait, counting from 1.
    pub attempt: u32,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// NinjaOne throttled the request and said how long to wait (`Retry-After`).
    AskedToWait,
    /// NinjaOne throttled the request (429, 503, an HTML page) without saying for how long.
    Throttled,
    /// NinjaOne did not answer within the timeout.
    Timeout { after: Duration },
    /// NinjaOne answered with a server error (5xx).
    ServerError { status: u16 },
    /// The connection failed or broke off.
    ConnectionFailed,
    /// Fleetward holds the request back to stay inside the tenant's budget.
    RateLimit,
    /// Another request of the tenant was told to wait, and the whole tenant pauses.
    Paused,
}

impl WaitReason {
    /// Whether NinjaOne meant "slow down" (counted, and pauses every client of the tenant).
    pub(super) fn is_throttling(self) -> bool {
        matches!(self, WaitReason::AskedToWait | WaitReason::Throttled)
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Wait {
            endpoint,
            delay,
            attempt,
            max_attempts,
            ..
        } = self;
        let delay = Seconds(*delay);
        let again = format!("trying again in {delay} (attempt {attempt} of {max_attempts})");
        match self.reason {
            WaitReason::AskedToWait => write!(
                f,
                "NinjaOne asked to wait {delay} before answering {endpoint} (attempt {attempt} of {max_attempts})"
            ),
            WaitReason::Throttled => write!(f, "NinjaOne is throttling {endpoint}; {again}"),
            WaitReason::Timeout { after } => write!(
                f,
                "NinjaOne did not answer {endpoint} within {}; {again}",
                Seconds(after)
            ),
            WaitReason::ServerError { status } => write!(
                f,
                "NinjaOne answered {endpoint} with a server error (HTTP {status}); {again}"
            ),
            WaitReason::ConnectionFailed => {
                write!(f, "The connection to NinjaOne failed for {endpoint}; {again}")
            }
            WaitReason::RateLimit => {
                write!(f, "Staying under NinjaOne's rate limit: waiting {delay}")
            }
            WaitReason::Paused => write!(
                f,
                "NinjaOne asked Fleetward to slow down: waiting {delay} before {endpoint}"
            ),
        }
    }
}

/// A duration as a person reads it: whole seconds, tenths below ten seconds when they matter.
struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs_f64();
        if secs >= 10.0 || (secs - secs.round()).abs() < 0.05 {
            write!(f, "{} s", secs.round())
        } else {
            write!(f, "{secs:.1} s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(endpoint: &str, reason: WaitReason, delay_ms: u64, attempt: u32) -> String {
        Wait {
            endpoint: endpoint.into(),
            reason,
            delay: Duration::from_millis(delay_ms),
            attempt,
            max_attempts: 6,
        }
        .to_string()
    }

    #[test]
    fn waits_read_as_sentences_for_the_technician() {
        assert_eq!(
            wait("/v2/organizations", WaitReason::AskedToWait, 30_000, 2),
            "NinjaOne asked to wait 30 s before answering /v2/organizations (attempt 2 of 6)"
        );
        assert_eq!(
            wait(
                "/v2/devices",
                WaitReason::Timeout {
                    after: Duration::from_secs(30)
                },
                2_000,
                3
            ),
            "NinjaOne did not answer /v2/devices within 30 s; trying again in 2 s (attempt 3 of 6)"
        );
        assert_eq!(
            wait("/v2/devices", WaitReason::RateLimit, 12_000, 1),
            "Staying under NinjaOne's rate limit: waiting 12 s"
        );
        assert_eq!(
            wait("/v2/alerts", WaitReason::ServerError { status: 502 }, 1_500, 2),
            "NinjaOne answered /v2/alerts with a server error (HTTP 502); trying again in 1.5 s (attempt 2 of 6)"
        );
        assert_eq!(
            wait("/v2/alerts", WaitReason::Paused, 12_400, 1),
            "NinjaOne asked Fleetward to slow down: waiting 12 s before /v2/alerts"
        );
    }
}

//! Request counters for tests and benchmarks: what the client actually sent, by endpoint,
//! and its peak rate, which is how a benchmark proves that a client stays inside
//! NinjaOne's budget.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Counters since the start or the last reset. Control requests (`/_sim`) are not counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// By route template, e.g. `GET /v2/device/{id}` (`/api/v2` counts as `/v2`).
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// API and token requests.
    pub total_requests: u64,
    pub token_requests: u64,
    /// Most requests in any sliding window of the stats window (60 s unless changed).
    pub max_requests_in_window: u64,
    /// 429, 503 and HTML "slow down" answers served, by faults or the rate limit.
    pub throttles_served: u64,
}

pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

pub(crate) struct StatsRecorder {
    stats: Stats,
    window: Duration,
    recent: VecDeque<Instant>,
}

impl Default for StatsRecorder {
    fn default() -> Self {
        StatsRecorder {
            stats: Stats::default(),
            window: DEFAULT_WINDOW,
            recent: VecDeque::new(),
        }
    }
}

impl StatsRecorder {
    pub fn record(&mut self, endpoint: &str, token: bool, now: Instant) {
        *self
            .stats
            .requests_by_endpoint
            .entry(endpoint.to_string())
            .or_default() += 1;
        self.stats.total_requests += 1;
        if token {
            self.stats.token_requests += 1;
        }
        self.recent.push_back(now);
        self.prune(now);
        self.stats.max_requests_in_window = self
            .stats
            .max_requests_in_window
            .max(self.recent.len() as u64);
    }

    pub fn throttled(&mut self) {
        self.stats.throttles_served += 1;
    }

    pub fn snapshot(&self) -> Stats {
        self.stats.clone()
    }

    pub fn reset(&mut self) {
        self.stats = Stats::default();
        self.recent.clear();
    }

    /// Changes the window; the maximum restarts from the requests inside the new window.
    pub fn set_window(&mut self, window: Duration, now: Instant) {
        self.window = window;
        self.prune(now);
        self.stats.max_requests_in_window = self.recent.len() as u64;
    }

    fn prune(&mut self, now: Instant) {
        while self
            .recent
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= self.window)
        {
            self.recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_maximum_tracks_bursts() {
        let mut recorder = StatsRecorder::default();
        let start = Instant::now();
        recorder.set_window(Duration::from_secs(1), start);
        for ms in [0, 100, 200, 1500, 1600] {
            recorder.record("GET /v2/devices", false, start + Duration::from_millis(ms));
        }
        recorder.record(
            "POST /ws/oauth/token",
            true,
            start + Duration::from_millis(1700),
        );
        let stats = recorder.snapshot();
        assert_eq!(stats.max_requests_in_window, 3);
        assert_eq!(stats.total_requests, 6);
        assert_eq!(stats.token_requests, 1);
        assert_eq!(stats.requests_by_endpoint["GET /v2/devices"], 5);
        recorder.reset();
        assert_eq!(recorder.snapshot(), Stats::default());
    }
}

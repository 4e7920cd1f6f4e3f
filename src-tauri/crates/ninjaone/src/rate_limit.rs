//! Self-throttling to stay under NinjaOne's budget (SPEC §11: 200 requests a minute and
//! 1,500 an hour per tenant). Every client of one tenant in this process shares one
//! [`RateLimiter`] (see [`RateLimiter::for_tenant`]), so a sync and a connection test running
//! together still count against one budget. A `Retry-After` from NinjaOne pauses them all.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

/// One budget: at most `max` requests in any `per` window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max: usize,
    pub per: Duration,
}

/// NinjaOne's published per-tenant budgets (SPEC §11).
pub const NINJAONE_BUDGETS: [Budget; 2] = [
    Budget {
        max: 200,
        per: Duration::from_secs(60),
    },
    Budget {
        max: 1500,
        per: Duration::from_secs(3600),
    },
];

#[derive(Debug)]
pub struct RateLimiter {
    budgets: Vec<Budget>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Start times of the requests inside the longest window, oldest first.
    sent: VecDeque<Instant>,
    /// No request may start before this (a `Retry-After` from the server).
    paused_until: Option<Instant>,
}

impl RateLimiter {
    pub fn new(budgets: &[Budget]) -> RateLimiter {
        RateLimiter {
            budgets: budgets.to_vec(),
            state: Mutex::new(State::default()),
        }
    }

    /// The limiter shared by every client of one tenant (base URL + client id) in this process.
    pub fn for_tenant(tenant_key: &str, budgets: &[Budget]) -> Arc<RateLimiter> {
        static TENANTS: OnceLock<Mutex<HashMap<String, Arc<RateLimiter>>>> = OnceLock::new();
        let mut tenants = TENANTS
            .get_or_init(Default::default)
            .lock()
            .expect("rate limiter registry poisoned");
        tenants
            .entry(tenant_key.to_string())
            .or_insert_with(|| Arc::new(RateLimiter::new(budgets)))
            .clone()
    }

    /// Waits until a request fits every budget, then counts it.
    pub async fn acquire(&self) {
        while let Some(wait) = self.try_acquire(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Counts a request starting at `now` if it fits; otherwise says how long to wait.
    fn try_acquire(&self, now: Instant) -> Option<Duration> {
        let mut state = self.state.lock().expect("rate limiter poisoned");
        let wait = self.wait_needed(&mut state, now);
        if wait.is_none() {
            state.sent.push_back(now);
        }
        wait
    }

    /// Pauses every request of this tenant for `delay` (server asked us to back off).
    pub fn pause_for(&self, delay: Duration) {
        self.pause_at(Instant::now(), delay);
    }

    fn pause_at(&self, now: Instant, delay: Duration) {
        let mut state = self.state.lock().expect("rate limiter poisoned");
        let until = now + delay;
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
    }

    fn wait_needed(&self, state: &mut State, now: Instant) -> Option<Duration> {
        if let Some(until) = state.paused_until {
            if until > now {
                return Some(until - now);
            }
            state.paused_until = None;
        }
        let longest = self.budgets.iter().map(|b| b.per).max()?;
        while state
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= longest)
        {
            state.sent.pop_front();
        }
        self.budgets
            .iter()
            .filter_map(|budget| {
                let in_window: Vec<&Instant> = state
                    .sent
                    .iter()
                    .rev()
                    .take_while(|t| now.duration_since(**t) < budget.per)
                    .collect();
                if in_window.len() < budget.max {
                    return None;
                }
                // The request that leaves the window first frees a slot; wait a little longer
                // (2 % of the window) so that network jitter cannot put one request too many
                // into the server's window.
                let oldest_counted = in_window[budget.max - 1];
                Some(budget.per - now.duration_since(*oldest_counted) + budget.per / 50)
            })
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> RateLimiter {
        RateLimiter::new(&[
            Budget {
                max: 5,
                per: Duration::from_secs(1),
            },
            Budget {
                max: 12,
                per: Duration::from_secs(10),
            },
        ])
    }

    /// Acquires `n` slots on a simulated clock that jumps ahead by each wait, so the test
    /// sets time instead of sleeping.
    fn simulated_acquire(limiter: &RateLimiter, start: Instant, n: usize) -> Vec<Duration> {
        let mut now = start;
        (0..n)
            .map(|_| {
                while let Some(wait) = limiter.try_acquire(now) {
                    now += wait;
                }
                now - start
            })
            .collect()
    }

    #[test]
    fn no_window_ever_holds_more_than_its_budget() {
        let limiter = small();
        let times = simulated_acquire(&limiter, Instant::now(), 30);
        for (i, t) in times.iter().enumerate() {
            let in_one_s = times[i..]
                .iter()
                .filter(|u| **u - *t < Duration::from_secs(1))
                .count();
            let in_ten_s = times[i..]
                .iter()
                .filter(|u| **u - *t < Duration::from_secs(10))
                .count();
            assert!(
                in_one_s <= 5,
                "{in_one_s} requests within 1 s of request {i}"
            );
            assert!(
                in_ten_s <= 12,
                "{in_ten_s} requests within 10 s of request {i}"
            );
        }
        // 30 requests at 12 per 10 s need at least 20 s.
        assert!(*times.last().unwrap() >= Duration::from_secs(20));
    }

    #[test]
    fn retry_after_pauses_every_caller() {
        let limiter = small();
        let start = Instant::now();
        limiter.pause_at(start, Duration::from_secs(7));
        let times = simulated_acquire(&limiter, start, 1);
        assert_eq!(times[0], Duration::from_secs(7));
    }

    #[test]
    fn one_tenant_shares_one_limiter() {
        let a = RateLimiter::for_tenant("https://x|id-1", &NINJAONE_BUDGETS);
        let b = RateLimiter::for_tenant("https://x|id-1", &NINJAONE_BUDGETS);
        let c = RateLimiter::for_tenant("https://x|id-2", &NINJAONE_BUDGETS);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }
}

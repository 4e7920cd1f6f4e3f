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
        loop {
            let wait = {
                let mut state = self.state.lock().expect("rate limiter poisoned");
                let now = Instant::now();
                match self.wait_needed(&mut state, now) {
                    None => {
                        state.sent.push_back(now);
                        return;
                    }
                    Some(wait) => wait,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Pauses every request of this tenant for `delay` (server asked us to back off).
    pub fn pause_for(&self, delay: Duration) {
        let mut state = self.state.lock().expect("rate limiter poisoned");
        let until = Instant::now() + delay;
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
        while state.sent.front().is_some_and(|t| now.duration_since(*t) >= longest) {
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
                // The request that leaves the window first frees a slot.
                let oldest_counted = in_window[budget.max - 1];
                Some(budget.per - now.duration_since(*oldest_counted))
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

    #[tokio::test(start_paused = true)]
    async fn no_window_ever_holds_more_than_its_budget() {
        let limiter = small();
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..30 {
            limiter.acquire().await;
            times.push(Instant::now() - start);
        }
        for (i, t) in times.iter().enumerate() {
            let in_one_s = times[i..].iter().filter(|u| **u - *t < Duration::from_secs(1)).count();
            let in_ten_s = times[i..].iter().filter(|u| **u - *t < Duration::from_secs(10)).count();
            assert!(in_one_s <= 5, "{in_one_s} requests within 1 s of request {i}");
            assert!(in_ten_s <= 12, "{in_ten_s} requests within 10 s of request {i}");
        }
        // 30 requests at 12 per 10 s need at least 20 s.
        assert!(*times.last().unwrap() >= Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_pauses_every_caller() {
        let limiter = Arc::new(small());
        limiter.pause_for(Duration::from_secs(7));
        let start = Instant::now();
        limiter.acquire().await;
        assert!(Instant::now() - start >= Duration::from_secs(7));
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

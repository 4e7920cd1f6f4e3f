//! Self-throttling to stay under NinjaOne's budget (SPEC §11: 200 requests a minute and
//! 1,500 an hour per tenant). Every client of one tenant shares one [`RateLimiter`], handed
//! out by the [`RateBudgets`] that the caller (the engine) owns and passes to each client, so
//! a sync and a connection test running together still count against one budget, while two
//! engines (or two tests) never share one by accident. A `Retry-After` from NinjaOne pauses
//! every client of the tenant.
//!
//! Why not `governor`: its GCRA with a burst equal to the budget admits a full burst and then
//! keeps replenishing, so up to about twice the budget can land inside one sliding window (a
//! burst of `max` followed by a window's worth of replenishment). NinjaOne's window semantics
//! are unconfirmed (ninjaone-api.md §8.1), so the exact sliding log below is kept: no window
//! of any length `per` ever holds more than `max` requests.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
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

/// The per-tenant limiters of one owner (the engine): the same tenant key always gets the
/// same limiter from the same `RateBudgets`.
#[derive(Debug)]
pub struct RateBudgets {
    budgets: Vec<Budget>,
    tenants: Mutex<HashMap<String, Arc<RateLimiter>>>,
}

impl RateBudgets {
    pub fn new(budgets: Vec<Budget>) -> RateBudgets {
        RateBudgets {
            budgets,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    /// NinjaOne's published budgets: 200 a minute and 1,500 an hour.
    pub fn ninjaone() -> RateBudgets {
        RateBudgets::new(NINJAONE_BUDGETS.to_vec())
    }

    pub fn budgets(&self) -> &[Budget] {
        &self.budgets
    }

    /// The limiter of one tenant (base URL + client id).
    pub fn for_tenant(&self, key: &str) -> Arc<RateLimiter> {
        // A panic elsewhere while holding this lock cannot leave the map half-changed.
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(RateLimiter::new(&self.budgets)))
            .clone()
    }
}

impl Default for RateBudgets {
    fn default() -> Self {
        RateBudgets::ninjaone()
    }
}

/// Why a request is held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Sending now would put one request too many into a budget's window.
    Budget,
    /// NinjaOne asked to slow down (`Retry-After`), and the tenant is paused.
    ServerPause,
}

#[derive(Debug)]
pub struct RateLimiter {
    budgets: Vec<Budget>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// When the finished requests inside the longest window got their answers, oldest first.
    /// A request is counted from its answer rather than from its start: the server counted it
    /// somewhere in between, so however long it travelled, no server window can hold more
    /// requests than ours.
    answered: VecDeque<Instant>,
    /// Requests sent and not answered yet; they count in every window.
    in_flight: usize,
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

    /// Waits until a request fits every budget, then counts it as in flight until the
    /// returned permit is dropped (when its answer has arrived, or the request was given up).
    /// `before_wait` hears of every wait before it starts, with its length and cause. Dropping
    /// the future gives up the wait without counting a request.
    pub async fn acquire(&self, mut before_wait: impl FnMut(Duration, Hold)) -> Permit<'_> {
        while let Some((wait, hold)) = self.try_acquire(Instant::now()) {
            before_wait(wait, hold);
            tokio::time::sleep(wait).await;
        }
        Permit { limiter: self }
    }

    /// Counts a request starting at `now` if it fits; otherwise says how long to wait and why.
    fn try_acquire(&self, now: Instant) -> Option<(Duration, Hold)> {
        let mut state = self.lock();
        let wait = self.wait_needed(&mut state, now);
        if wait.is_none() {
            state.in_flight += 1;
        }
        wait
    }

    /// A request counted by `try_acquire` got its answer (or was given up) at `now`.
    fn settle_at(&self, now: Instant) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        // Answers are stamped under the lock, so the queue stays in order.
        let at = state.answered.back().map_or(now, |last| now.max(*last));
        state.answered.push_back(at);
    }

    /// A panic elsewhere while holding the lock leaves at worst one request uncounted.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pauses every request of this tenant for `delay` (server asked us to back off).
    pub fn pause_for(&self, delay: Duration) {
        self.pause_at(Instant::now(), delay);
    }

    fn pause_at(&self, now: Instant, delay: Duration) {
        let mut state = self.lock();
        let until = now + delay;
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
    }

    fn wait_needed(&self, state: &mut State, now: Instant) -> Option<(Duration, Hold)> {
        if let Some(until) = state.paused_until {
            if until > now {
                return Some((until - now, Hold::ServerPause));
            }
            state.paused_until = None;
        }
        let longest = self.budgets.iter().map(|b| b.per).max()?;
        while state
            .answered
            .front()
            .is_some_and(|t| now.duration_since(*t) >= longest)
        {
            state.answered.pop_front();
        }
        let in_flight = state.in_flight;
        self.budgets
            .iter()
            .filter_map(|budget| {
                // Newest first.
                let in_window: Vec<&Instant> = state
                    .answered
                    .iter()
                    .rev()
                    .take_while(|t| now.duration_since(**t) < budget.per)
                    .collect();
                let counted = in_window.len() + in_flight;
                if counted < budget.max {
                    return None;
                }
                // This many answered requests must leave the window before one more fits.
                let leaving = counted - budget.max + 1;
                let Some(index) = in_window.len().checked_sub(leaving) else {
                    // The budget is taken by requests still on their way: look again shortly.
                    return Some((budget.per / 50).max(Duration::from_millis(1)));
                };
                // Wait a little longer than the slot takes to free (2 % of the window), as a
                // margin for clocks.
                Some(budget.per - now.duration_since(*in_window[index]) + budget.per / 50)
            })
            .max()
            .map(|wait| (wait, Hold::Budget))
    }
}

/// One request counted by the limiter; dropping it records when the request was answered.
#[derive(Debug)]
pub struct Permit<'a> {
    limiter: &'a RateLimiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.settle_at(Instant::now());
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
                while let Some((wait, _)) = limiter.try_acquire(now) {
                    now += wait;
                }
                limiter.settle_at(now);
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
    fn a_request_counts_until_its_answer_even_when_that_takes_longer_than_the_window() {
        let limiter = small();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(limiter.try_acquire(start).is_none());
        }
        // Five requests still on their way after two windows: none may start yet.
        let later = start + Duration::from_secs(2);
        assert_eq!(
            limiter.try_acquire(later).map(|(_, hold)| hold),
            Some(Hold::Budget)
        );
        // One answer arrives: with four still on their way the window still holds five, and
        // the next slot frees a window (plus the margin) after that answer.
        limiter.settle_at(later);
        let (wait, _) = limiter.try_acquire(later).expect("still full");
        assert_eq!(wait, Duration::from_secs(1) + Duration::from_millis(20));
        assert!(limiter.try_acquire(later + wait).is_none());
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
    fn one_rate_budgets_hands_one_limiter_per_tenant() {
        let budgets = RateBudgets::ninjaone();
        let a = budgets.for_tenant("https://x|id-1");
        let b = budgets.for_tenant("https://x|id-1");
        let c = budgets.for_tenant("https://x|id-2");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        let other_owner = RateBudgets::ninjaone();
        assert!(!Arc::ptr_eq(&a, &other_owner.for_tenant("https://x|id-1")));
    }

    #[test]
    fn a_wait_names_its_cause() {
        let limiter = RateLimiter::new(&[Budget {
            max: 1,
            per: Duration::from_secs(10),
        }]);
        let start = Instant::now();
        assert_eq!(limiter.try_acquire(start), None, "the first request fits");
        limiter.settle_at(start);
        assert_eq!(
            limiter.try_acquire(start),
            Some((Duration::from_millis(10_200), Hold::Budget))
        );
        let later = start + Duration::from_secs(20);
        limiter.pause_at(later, Duration::from_secs(30));
        assert_eq!(
            limiter.try_acquire(later),
            Some((Duration::from_secs(30), Hold::ServerPause))
        );
    }
}

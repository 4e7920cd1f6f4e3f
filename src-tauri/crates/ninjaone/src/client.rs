//! A NinjaOne client for one tenant: what it is configured with, what its clones share (the
//! token, the tenant's rate limiter, the counters), and the one generic call, [`get_json`],
//! that every typed endpoint in `api.rs` is built on. How it signs in, retries, sends and
//! judges answers lives in the submodules, one concept each.
//!
//! [`get_json`]: Client::get_json

mod auth;
mod classify;
mod query;
mod retry;
mod transport;
mod wait;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

pub use auth::{Credentials, Grant, SCOPE};
pub use retry::RetryPolicy;
pub use wait::{Wait, WaitObserver, WaitReason};

use crate::clock::Clock;
use crate::error::excerpt_bytes;
use crate::rate_limit::{RateBudgets, RateLimiter};
use crate::{BaseUrl, Error, Result};

/// How a client behaves. The engine builds one per action from its own clock, rate budgets
/// and wait observer: `ClientConfig { clock, rate_budgets, on_wait, ..config }`.
#[derive(Clone)]
pub struct ClientConfig {
    /// Per request, connection and body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Page size for id-watermark and cursor paging; NinjaOne's maximum is undocumented and
    /// 1,000 is what the widely used clients send (ninjaone-api.md §2.2).
    pub page_size: usize,
    /// Wall-clock time for token expiry.
    pub clock: Arc<dyn Clock>,
    /// Where the client gets its tenant's rate limiter; clients of one tenant built from
    /// the same `RateBudgets` share one.
    pub rate_budgets: Arc<RateBudgets>,
    /// Hears of every wait before it starts (retries, and rate-limit waits over a second).
    pub on_wait: Option<WaitObserver>,
    /// The largest API answer read; beyond it the request fails with
    /// [`Error::AnswerTooLarge`] instead of filling memory.
    pub max_body_bytes: usize,
    /// The most rows and bytes (as sent) one cursor report may bring; beyond either the
    /// report fails with [`Error::ReportTooLarge`], so a cursor that never ends cannot fill
    /// memory until the run's deadline.
    pub max_report_rows: usize,
    pub max_report_bytes: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            page_size: 1000,
            clock: crate::clock::system(),
            rate_budgets: Arc::new(RateBudgets::ninjaone()),
            on_wait: None,
            // A 1,000-item page of detailed devices is a few MiB; 64 MiB leaves room for
            // custom fields while still stopping an endless answer.
            max_body_bytes: 64 * 1024 * 1024,
            // A batch is at most 50,000 devices (or a whole tenant walked once); one row per
            // device per report is the common case and the largest reports (software,
            // patches) run to a few dozen rows per device. A row is a few hundred bytes.
            max_report_rows: 2_000_000,
            max_report_bytes: 256 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("page_size", &self.page_size)
            .field("clock", &self.clock)
            .field("rate_budgets", &self.rate_budgets.budgets())
            .field("on_wait", &self.on_wait.as_ref().map(|_| "set"))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_report_rows", &self.max_report_rows)
            .field("max_report_bytes", &self.max_report_bytes)
            .finish()
    }
}

/// Counters for progress reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent, token requests and retries included.
    pub requests: u64,
    pub token_requests: u64,
    pub retries: u64,
    /// Answers that meant "slow down" (429, 503, HTML with 200).
    pub throttled: u64,
    /// Items skipped because their JSON did not fit the model.
    pub malformed_items: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    token_requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    malformed_items: AtomicU64,
    /// Requests by path (`/v2/queries/volumes`), retries included, so that walks of
    /// different reports running at once can each be told what they cost.
    by_path: std::sync::Mutex<std::collections::HashMap<String, u64>>,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn bump_path(&self, path: &str) {
        let mut by_path = self
            .by_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match by_path.get_mut(path) {
            Some(count) => *count += 1,
            None => {
                by_path.insert(path.to_string(), 1);
            }
        }
    }
}

/// A NinjaOne API client for one tenant. Cheap to clone; clones share the token, the
/// counters and the rate limiter. Dropping any call's future cancels it: nothing it holds
/// (the token lock, a limiter wait, a connection) outlives the future.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: BaseUrl,
    credentials: Credentials,
    config: ClientConfig,
    limiter: Arc<RateLimiter>,
    token: tokio::sync::Mutex<Option<auth::Token>>,
    counters: Counters,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

impl Client {
    pub fn new(base: BaseUrl, credentials: Credentials, config: ClientConfig) -> Result<Client> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            // A redirect would carry the form with the secret, or the bearer token, to
            // wherever it points; it is reported instead (see `transport`).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            .user_agent(concat!("Fleetward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Unreachable {
                host: base.host(),
                detail: format!("the HTTP client could not be set up: {e}"),
            })?;
        let tenant_key = format!("{}|{}", base.as_str(), credentials.client_id);
        let limiter = config.rate_budgets.for_tenant(&tenant_key);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credentials,
                config,
                limiter,
                token: tokio::sync::Mutex::new(None),
                counters: Counters::default(),
            }),
        })
    }

    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    pub fn page_size(&self) -> usize {
        self.inner.config.page_size
    }

    /// The bounds of one cursor report: rows and bytes as sent.
    pub(crate) fn report_bounds(&self) -> (usize, usize) {
        let config = &self.inner.config;
        (config.max_report_rows, config.max_report_bytes)
    }

    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            token_requests: c.token_requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            malformed_items: c.malformed_items.load(Ordering::Relaxed),
        }
    }

    /// HTTP requests sent to `path` (e.g. `/v2/queries/volumes`), retries included.
    pub fn requests_to(&self, path: &str) -> u64 {
        self.inner
            .counters
            .by_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn count_malformed(&self) {
        Counters::bump(&self.inner.counters.malformed_items);
    }

    /// GETs `path` and decodes its JSON. A 401 signs in again once (SPEC §2).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = query::url_with_query(&self.inner.base, path, query);
        let sent_cursor = query.iter().any(|(name, _)| *name == "cursor");
        let mut signed_in_again = false;
        loop {
            let token = self.access_token().await?;
            let answer = self
                .execute(path, self.inner.config.max_body_bytes, || {
                    self.inner
                        .http
                        .get(url.clone())
                        .bearer_auth(token.expose_secret())
                })
                .await?;
            if answer.status == StatusCode::UNAUTHORIZED {
                if signed_in_again {
                    return Err(Error::TokenRejected {
                        endpoint: path.to_string(),
                    });
                }
                signed_in_again = true;
                self.forget_token().await;
                continue;
            }
            if let Some(refusal) = classify::refusal(path, &answer, sent_cursor) {
                return Err(refusal);
            }
            return serde_json::from_slice(&answer.body).map_err(|e| Error::UnexpectedBody {
                endpoint: path.to_string(),
                status: answer.status.as_u16(),
                excerpt: format!("{e}; body starts {}", excerpt_bytes(&answer.body)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str, id: &str, budgets: &Arc<RateBudgets>) -> Client {
        Client::new(
            BaseUrl::custom(base).unwrap(),
            Credentials::new(id, "secret".into()),
            ClientConfig {
                rate_budgets: budgets.clone(),
                ..ClientConfig::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn clients_of_one_tenant_share_the_limiter_of_their_rate_budgets() {
        let budgets = Arc::new(RateBudgets::ninjaone());
        let a = client("https://eu.ninjarmm.com", "id-1", &budgets);
        let b = client("https://eu.ninjarmm.com", "id-1", &budgets);
        assert!(Arc::ptr_eq(&a.inner.limiter, &b.inner.limiter));
        let other_tenant = client("https://eu.ninjarmm.com", "id-2", &budgets);
        assert!(!Arc::ptr_eq(&a.inner.limiter, &other_tenant.inner.limiter));
    }

    #[test]
    fn clients_built_from_different_rate_budgets_never_share_a_limiter() {
        let a = client(
            "https://eu.ninjarmm.com",
            "id-1",
            &Arc::new(RateBudgets::ninjaone()),
        );
        let b = client(
            "https://eu.ninjarmm.com",
            "id-1",
            &Arc::new(RateBudgets::ninjaone()),
        );
        assert!(!Arc::ptr_eq(&a.inner.limiter, &b.inner.limiter));
    }

    #[test]
    fn the_config_debugs_without_the_observer_closure() {
        let config = ClientConfig {
            on_wait: Some(Arc::new(|_: &Wait| {})),
            ..ClientConfig::default()
        };
        let shown = format!("{:?}", config.clone());
        assert!(shown.contains("on_wait: Some(\"set\")"), "{shown}");
    }
}

//! The HTTP client: OAuth client credentials with a cached token, the per-tenant rate
//! limiter, retries with jittered exponential backoff, and the mapping of every failure to
//! an [`Error`] with a cause and a fix.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::clock::{Clock, SystemClock};
use crate::error::excerpt;
use crate::rate_limit::{Budget, RateLimiter, NINJAONE_BUDGETS};
use crate::{BaseUrl, Error, Result};

/// The only scope Fleetward asks for: read-only monitoring data (SPEC §2).
pub const SCOPE: &str = "monitoring";

/// Tokens are renewed this long before NinjaOne says they expire, so that a request never
/// leaves with a token that dies in flight.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(60);

/// `X-RateLimit-Remaining` below this logs a warning (SPEC §11).
const LOW_REMAINING: u64 = 100;

/// API credentials. The secret is wrapped so that Debug and Display never show it.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl Credentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Credentials {
        Credentials {
            client_id: client_id.into().trim().to_string(),
            client_secret: SecretString::from(client_secret.into().trim().to_string()),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// How hard to retry. Throttling (429, 503, an HTML page with 200), 5xx answers, timeouts
/// and dropped connections are retried; everything else fails at once.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
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

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Per request, connection included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub budgets: Vec<Budget>,
    /// Page size for id-watermark and cursor paging; NinjaOne's maximum is undocumented and
    /// 1,000 is what the widely used clients send (ninjaone-api.md §2.2).
    pub page_size: usize,
    pub clock: Arc<dyn Clock>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            budgets: NINJAONE_BUDGETS.to_vec(),
            page_size: 1000,
            clock: Arc::new(SystemClock),
        }
    }
}

/// What the token endpoint granted. More than `monitoring` means the API application is
/// over-privileged for a read-only tool, and the app warns about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<String>,
}

impl Grant {
    /// Granted scopes beyond `monitoring`.
    pub fn excess_scopes(&self) -> Vec<String> {
        self.scopes
            .iter()
            .filter(|s| *s != SCOPE)
            .cloned()
            .collect()
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
}

struct Token {
    access: SecretString,
    renew_at: SystemTime,
}

/// A NinjaOne API client for one tenant. Cheap to clone; clones share the token, the
/// counters and the rate limiter.
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
    token: tokio::sync::Mutex<Option<Token>>,
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

/// Outcome of one HTTP exchange before interpretation.
struct Answer {
    status: StatusCode,
    body: String,
}

/// Why an attempt should be retried, and the error to return if attempts run out.
struct Retry {
    error: Error,
    retry_after: Option<Duration>,
    throttled: bool,
}

impl Client {
    pub fn new(base: BaseUrl, credentials: Credentials, config: ClientConfig) -> Result<Client> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            .user_agent(concat!("Fleetward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Unreachable {
                host: base.host(),
                detail: format!("the HTTP client could not be set up: {e}"),
            })?;
        let tenant_key = format!("{}|{}", base.as_str(), credentials.client_id);
        let limiter = RateLimiter::for_tenant(&tenant_key, &config.budgets);
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

    pub(crate) fn count_malformed(&self) {
        self.inner
            .counters
            .malformed_items
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Gets a fresh token now and returns what it grants (Test connection).
    pub async fn sign_in(&self) -> Result<Grant> {
        let mut slot = self.inner.token.lock().await;
        let (token, grant) = self.request_token().await?;
        *slot = Some(token);
        Ok(grant)
    }

    /// GETs `path` and decodes its JSON. A 401 signs in again once (SPEC §2).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self.url_with_query(path, query);
        let mut signed_in_again = false;
        loop {
            let token = self.access_token().await?;
            let answer = self
                .execute(path, || {
                    self.inner
                        .http
                        .get(url.clone())
                        .bearer_auth(token.expose_secret())
                })
                .await?;
            match answer.status {
                StatusCode::UNAUTHORIZED if !signed_in_again => {
                    signed_in_again = true;
                    *self.inner.token.lock().await = None;
                    continue;
                }
                StatusCode::UNAUTHORIZED => {
                    return Err(Error::TokenRejected {
                        endpoint: path.to_string(),
                    })
                }
                StatusCode::FORBIDDEN => {
                    return Err(Error::Forbidden {
                        endpoint: path.to_string(),
                        status: 403,
                    })
                }
                StatusCode::NOT_FOUND if !mentions_cursor(&answer.body) => {
                    return Err(Error::NotFound {
                        endpoint: path.to_string(),
                    })
                }
                status
                    if status.is_client_error()
                        && query.iter().any(|(k, _)| *k == "cursor")
                        && mentions_cursor(&answer.body) =>
                {
                    return Err(Error::CursorExpired {
                        endpoint: path.to_string(),
                    })
                }
                status if status.is_success() => {
                    return serde_json::from_str(&answer.body).map_err(|e| Error::UnexpectedBody {
                        endpoint: path.to_string(),
                        status: status.as_u16(),
                        excerpt: format!("{e}; body starts {}", excerpt(&answer.body)),
                    })
                }
                status => {
                    return Err(Error::UnexpectedBody {
                        endpoint: path.to_string(),
                        status: status.as_u16(),
                        excerpt: excerpt(&answer.body),
                    })
                }
            }
        }
    }

    fn url_with_query(&self, path: &str, query: &[(&str, String)]) -> url::Url {
        let mut url = self.inner.base.join(path);
        if !query.is_empty() {
            // NinjaOne's `df` wants spaces as %20, not the `+` of form encoding
            // (ninjaone-api.md §2.3), so the query is encoded by hand.
            let encoded: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            url.set_query(Some(&encoded.join("&")));
        }
        url
    }

    async fn access_token(&self) -> Result<SecretString> {
        let mut slot = self.inner.token.lock().await;
        let now = self.inner.config.clock.now();
        if let Some(token) = slot.as_ref().filter(|t| t.renew_at > now) {
            return Ok(token.access.clone());
        }
        let (token, _) = self.request_token().await?;
        let access = token.access.clone();
        *slot = Some(token);
        Ok(access)
    }

    async fn request_token(&self) -> Result<(Token, Grant)> {
        const PATH: &str = "/ws/oauth/token";
        self.inner
            .counters
            .token_requests
            .fetch_add(1, Ordering::Relaxed);
        let url = self.inner.base.join(PATH);
        let creds = &self.inner.credentials;
        let answer = self
            .execute(PATH, || {
                self.inner.http.post(url.clone()).form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", creds.client_id.as_str()),
                    ("client_secret", creds.client_secret.expose_secret()),
                    ("scope", SCOPE),
                ])
            })
            .await?;
        let host = self.inner.base.host();
        let parsed: Option<TokenAnswer> = serde_json::from_str(&answer.body).ok();
        if let Some(rejection) = parsed.as_ref().and_then(TokenAnswer::client_unknown) {
            return Err(Error::InvalidClient {
                host,
                answer: rejection,
            });
        }
        if !answer.status.is_success() {
            return Err(match answer.status.as_u16() {
                400 | 401 | 403 => Error::WrongSecret { host },
                status => Error::UnexpectedBody {
                    endpoint: PATH.into(),
                    status,
                    excerpt: excerpt(&answer.body),
                },
            });
        }
        let Some(TokenAnswer {
            access_token: Some(access),
            expires_in,
            scope,
            ..
        }) = parsed
        else {
            return Err(Error::UnexpectedBody {
                endpoint: PATH.into(),
                status: answer.status.as_u16(),
                excerpt: "the token answer has no access_token".into(),
            });
        };
        let lifetime = Duration::from_secs_f64(expires_in.unwrap_or(3600.0).max(0.0));
        let now = self.inner.config.clock.now();
        let renew_at = now + lifetime.saturating_sub(TOKEN_RENEW_MARGIN.min(lifetime / 2));
        let scopes = scope
            .unwrap_or_else(|| SCOPE.to_string())
            .split_whitespace()
            .map(String::from)
            .collect();
        Ok((
            Token {
                access: SecretString::from(access),
                renew_at,
            },
            Grant { scopes },
        ))
    }

    /// Sends a request through the rate limiter, retrying throttling, 5xx, timeouts and
    /// dropped connections within the retry budget. Returns the first answer that is not
    /// worth retrying.
    async fn execute(
        &self,
        endpoint: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer> {
        let policy = self.inner.config.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.inner.limiter.acquire().await;
            self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
            let retry = match build().send().await {
                Err(err) => self.transport_failure(endpoint, &err, attempt)?,
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    warn_when_budget_low(&headers, endpoint);
                    match response.text().await {
                        Err(err) => self.transport_failure(endpoint, &err, attempt)?,
                        Ok(body) => match classify(endpoint, status, &headers, &body, attempt) {
                            None => return Ok(Answer { status, body }),
                            Some(retry) => retry,
                        },
                    }
                }
            };
            if retry.throttled {
                self.inner
                    .counters
                    .throttled
                    .fetch_add(1, Ordering::Relaxed);
            }
            if attempt >= policy.max_attempts {
                return Err(retry.error);
            }
            let delay = retry
                .retry_after
                .unwrap_or_else(|| backoff(&policy, attempt))
                .min(policy.max_delay);
            if retry.throttled {
                self.inner.limiter.pause_for(delay);
            }
            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(endpoint, attempt, ?delay, error = %retry.error, "retrying NinjaOne request");
            tokio::time::sleep(delay).await;
        }
    }

    fn transport_failure(
        &self,
        endpoint: &str,
        err: &reqwest::Error,
        attempts: u32,
    ) -> Result<Retry> {
        let host = self.inner.base.host();
        let detail = error_chain(err);
        if looks_like_tls(&detail) {
            return Err(Error::Tls { host, detail });
        }
        let error = if err.is_timeout() {
            Error::Timeout {
                endpoint: endpoint.to_string(),
                timeout_secs: self.inner.config.timeout.as_secs().max(1),
                attempts,
            }
        } else {
            Error::Unreachable { host, detail }
        };
        Ok(Retry {
            error,
            retry_after: None,
            throttled: false,
        })
    }
}

/// `None` when the answer is final; otherwise why to retry.
fn classify(
    endpoint: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    attempts: u32,
) -> Option<Retry> {
    let throttled = |retry_after| {
        Some(Retry {
            error: Error::Throttled {
                endpoint: endpoint.to_string(),
                attempts,
            },
            retry_after,
            throttled: true,
        })
    };
    match status.as_u16() {
        429 | 503 => throttled(retry_after(headers)),
        // NinjaOne's throttle page is HTML served with 200 (ninjaone-api.md §5).
        200..=299 if is_html(headers, body) => throttled(retry_after(headers)),
        500..=599 => Some(Retry {
            error: Error::UnexpectedBody {
                endpoint: endpoint.to_string(),
                status: status.as_u16(),
                excerpt: excerpt(body),
            },
            retry_after: None,
            throttled: false,
        }),
        _ => None,
    }
}

fn is_html(headers: &HeaderMap, body: &str) -> bool {
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
    declared || body.trim_start().starts_with('<')
}

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and falls back to backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Full-jitter exponential backoff: a random delay up to `base * 2^(attempt-1)`.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy
        .base_delay
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(policy.max_delay);
    let jitter: f64 = rand::rng().random_range(0.5..=1.0);
    ceiling.mul_f64(jitter)
}

fn warn_when_budget_low(headers: &HeaderMap, endpoint: &str) {
    let remaining = headers
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(remaining) = remaining.filter(|r| *r < LOW_REMAINING) {
        tracing::warn!(
            endpoint,
            remaining,
            "NinjaOne's rate-limit budget is running low"
        );
    }
}

fn mentions_cursor(body: &str) -> bool {
    body.to_ascii_lowercase().contains("cursor")
}

fn error_chain(err: &reqwest::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.dedup();
    parts.join(": ")
}

fn looks_like_tls(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    // rustls reports protocol failures in its own words, e.g. "received corrupt message of
    // type InvalidContentType" when the server does not speak TLS at all.
    [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
        "peer is incompatible",
        "alertreceived",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
}

/// The token endpoint's answer: RFC 6749 fields, or NinjaOne's `{resultCode, errorMessage}`.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<f64>,
    scope: Option<String>,
    error: Option<String>,
    #[serde(rename = "resultCode")]
    result_code: Option<String>,
}

impl TokenAnswer {
    /// NinjaOne says "Client app not exist" for an unknown client id or the wrong region
    /// (ninjaone-api.md §1.3); RFC 6749 servers say `invalid_client`.
    fn client_unknown(&self) -> Option<String> {
        match (&self.result_code, &self.error) {
            (Some(code), _) if code.eq_ignore_ascii_case("Client app not exist") => {
                Some(code.clone())
            }
            (_, Some(error)) if error == "invalid_client" => Some(error.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret() {
        let creds = Credentials::new("id-123", "hunter2-very-secret");
        let shown = format!("{creds:?}");
        assert!(shown.contains("id-123"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn df_spaces_are_percent_encoded_not_plus() {
        assert_eq!(
            encode("org in (1,2) AND status eq APPROVED"),
            "org%20in%20%281%2C2%29%20AND%20status%20eq%20APPROVED"
        );
    }

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        assert!(backoff(&policy, 1) <= Duration::from_millis(100));
        assert!(backoff(&policy, 4) >= Duration::from_millis(400));
        assert!(backoff(&policy, 30) <= Duration::from_secs(2));
    }

    #[test]
    fn html_with_200_is_throttling() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "text/html; charset=utf-8".parse().unwrap());
        let retry = classify(
            "/v2/devices",
            StatusCode::OK,
            &headers,
            "<html>slow down</html>",
            1,
        )
        .unwrap();
        assert!(retry.throttled);
        assert!(classify("/v2/devices", StatusCode::OK, &HeaderMap::new(), "[]", 1).is_none());
    }

    #[test]
    fn token_rejections_name_the_client_problem() {
        let ninja: TokenAnswer =
            serde_json::from_str(r#"{"resultCode":"Client app not exist","incidentId":"WEB-1"}"#)
                .unwrap();
        assert_eq!(
            ninja.client_unknown().as_deref(),
            Some("Client app not exist")
        );
        let rfc: TokenAnswer = serde_json::from_str(r#"{"error":"invalid_client"}"#).unwrap();
        assert_eq!(rfc.client_unknown().as_deref(), Some("invalid_client"));
        let other: TokenAnswer = serde_json::from_str(r#"{"error":"unauthorized"}"#).unwrap();
        assert_eq!(other.client_unknown(), None);
    }
}

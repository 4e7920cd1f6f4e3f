//! Signing in: OAuth client credentials against `/ws/oauth/token` (ninjaone-api.md §1.2),
//! the cached token and when to renew it, and telling an unknown client (wrong region) from
//! a wrong secret by NinjaOne's answers (§1.3). The secret only ever leaves a
//! [`SecretString`] inside the form of the token request.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Client, Counters};
use crate::error::excerpt_bytes;
use crate::{Error, Result};

/// The only scope Fleetward asks for: read-only monitoring data (SPEC §2).
pub const SCOPE: &str = "monitoring";

const TOKEN_PATH: &str = "/ws/oauth/token";

/// Tokens are renewed this long before NinjaOne says they expire, so that a request never
/// leaves with a token that dies in flight.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(60);

/// A token answer is a few hundred bytes; anything much larger is not NinjaOne.
const TOKEN_ANSWER_LIMIT: usize = 64 * 1024;

/// The lifetime assumed when the token answer has no usable `expires_in` (NinjaOne's is an
/// hour, ninjaone-api.md §1.2).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// API credentials. The secret is wrapped so that Debug and Display never show it.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl Credentials {
    /// Both are trimmed: a secret pasted with a trailing newline is still the secret.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Credentials {
        let exposed = client_secret.expose_secret();
        let client_secret = if exposed.trim().len() == exposed.len() {
            client_secret
        } else {
            SecretString::from(exposed.trim())
        };
        Credentials {
            client_id: client_id.into().trim().to_string(),
            client_secret,
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

pub(super) struct Token {
    access: SecretString,
    renew_at: DateTime<Utc>,
}

/// When a token granted at `now` for `expires_in` seconds should be replaced: the margin
/// before expiry, or half the lifetime for very short ones. Absurd lifetimes (negative, not
/// a number, beyond any date) cannot panic: they renew at once, or at the end of time.
fn renew_at(now: DateTime<Utc>, expires_in: Option<f64>) -> DateTime<Utc> {
    let lifetime = match expires_in {
        None => DEFAULT_LIFETIME,
        Some(secs) if secs.is_nan() || secs <= 0.0 => Duration::ZERO,
        Some(secs) => Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX),
    };
    let usable = lifetime.saturating_sub(TOKEN_RENEW_MARGIN.min(lifetime / 2));
    chrono::Duration::from_std(usable)
        .ok()
        .and_then(|usable| now.checked_add_signed(usable))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Client {
    /// Gets a fresh token now and returns what it grants (Test connection).
    pub async fn sign_in(&self) -> Result<Grant> {
        let mut slot = self.inner.token.lock().await;
        let (token, grant) = self.request_token().await?;
        *slot = Some(token);
        Ok(grant)
    }

    /// The cached token, or a new one when it is due for renewal on the configured clock.
    pub(super) async fn access_token(&self) -> Result<SecretString> {
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

    /// Drops the cached token so that the next request signs in again (after a 401).
    pub(super) async fn forget_token(&self) {
        *self.inner.token.lock().await = None;
    }

    async fn request_token(&self) -> Result<(Token, Grant)> {
        Counters::bump(&self.inner.counters.token_requests);
        let url = self.inner.base.join(TOKEN_PATH);
        let creds = &self.inner.credentials;
        let answer = self
            .execute(TOKEN_PATH, TOKEN_ANSWER_LIMIT, || {
                self.inner.http.post(url.clone()).form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", creds.client_id.as_str()),
                    ("client_secret", creds.client_secret.expose_secret()),
                    ("scope", SCOPE),
                ])
            })
            .await?;
        let host = self.inner.base.host();
        let parsed: Option<TokenAnswer> = serde_json::from_slice(&answer.body).ok();
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
                    endpoint: TOKEN_PATH.into(),
                    status,
                    excerpt: excerpt_bytes(&answer.body),
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
                endpoint: TOKEN_PATH.into(),
                status: answer.status.as_u16(),
                excerpt: "the token answer has no access_token".into(),
            });
        };
        let scopes = scope
            .unwrap_or_else(|| SCOPE.to_string())
            .split_whitespace()
            .map(String::from)
            .collect();
        let token = Token {
            access: SecretString::from(access),
            renew_at: renew_at(self.inner.config.clock.now(), expires_in),
        };
        Ok((token, Grant { scopes }))
    }
}

/// The token endpoint's answer: RFC 6749 fields, or NinjaOne's `{resultCode, errorMessage}`.
#[derive(Deserialize)]
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
        let creds = Credentials::new("id-123", "hunter2-very-secret".into());
        let shown = format!("{creds:?}");
        assert!(shown.contains("id-123"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn pasted_whitespace_is_trimmed_from_both_credentials() {
        let creds = Credentials::new(" id-123\n", "  s3cret\r\n".into());
        assert_eq!(creds.client_id, "id-123");
        assert_eq!(creds.client_secret.expose_secret(), "s3cret");
    }

    #[test]
    fn tokens_renew_a_margin_before_expiry_and_absurd_lifetimes_do_not_panic() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!((renew_at(now, Some(3600.0)) - now).num_seconds(), 3540);
        assert_eq!((renew_at(now, None) - now).num_seconds(), 3540);
        assert_eq!((renew_at(now, Some(60.0)) - now).num_seconds(), 30);
        assert_eq!(renew_at(now, Some(-5.0)), now);
        assert_eq!(renew_at(now, Some(f64::NAN)), now);
        assert_eq!(renew_at(now, Some(1e300)), DateTime::<Utc>::MAX_UTC);
        assert_eq!(renew_at(now, Some(f64::INFINITY)), DateTime::<Utc>::MAX_UTC);
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

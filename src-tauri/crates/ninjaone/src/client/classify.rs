//! Judging an answer: whether it is final or worth another attempt (throttling, including
//! NinjaOne's HTML page served with 200, and 5xx), and what a final answer that is not a
//! success means (forbidden, missing, an expired report cursor). NinjaOne's application
//! errors are recognised by their documented shape `{resultCode, errorMessage}`
//! (ninjaone-api.md §2.4), never by words in the body.

use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::Deserialize;

use super::transport::Answer;
use super::WaitReason;
use crate::error::excerpt_bytes;
use crate::Error;

/// `X-RateLimit-Remaining` below this logs a warning (SPEC §11).
const LOW_REMAINING: u64 = 100;

/// The `resultCode` of an expired report cursor (the simulator answers it with 400; the
/// status NinjaOne uses is unconfirmed, so any 4xx counts).
const CURSOR_EXPIRED: &str = "CURSOR_EXPIRED";

/// Why an attempt deserves another, and the error to report if none is left.
pub(super) struct Retryable {
    pub error: Error,
    pub reason: WaitReason,
    /// How long NinjaOne asked to wait, when it said.
    pub retry_after: Option<Duration>,
}

/// `None` when the answer is final; otherwise why to retry.
pub(super) fn retry_needed(endpoint: &str, answer: &Answer, attempts: u32) -> Option<Retryable> {
    let throttled = || {
        let retry_after = retry_after(&answer.headers);
        Some(Retryable {
            error: Error::Throttled {
                endpoint: endpoint.to_string(),
                attempts,
            },
            reason: if retry_after.is_some() {
                WaitReason::AskedToWait
            } else {
                WaitReason::Throttled
            },
            retry_after,
        })
    };
    match answer.status.as_u16() {
        429 | 503 => throttled(),
        // NinjaOne's throttle page is HTML served with 200 (ninjaone-api.md §5).
        200..=299 if is_html(&answer.headers, &answer.body) => throttled(),
        status @ 500..=599 => Some(Retryable {
            error: Error::UnexpectedBody {
                endpoint: endpoint.to_string(),
                status,
                excerpt: excerpt_bytes(&answer.body),
            },
            reason: WaitReason::ServerError { status },
            retry_after: None,
        }),
        _ => None,
    }
}

/// What a final API answer that is not a success means; `None` for a success. 401 is the
/// caller's (it signs in again once).
pub(super) fn refusal(endpoint: &str, answer: &Answer, sent_cursor: bool) -> Option<Error> {
    let status = answer.status;
    if status.is_success() {
        return None;
    }
    let endpoint = endpoint.to_string();
    Some(match status {
        StatusCode::FORBIDDEN => Error::Forbidden {
            endpoint,
            status: 403,
        },
        status
            if status.is_client_error()
                && sent_cursor
                && ApplicationError::parse(&answer.body).is_some_and(|e| e.is(CURSOR_EXPIRED)) =>
        {
            Error::CursorExpired { endpoint }
        }
        StatusCode::NOT_FOUND => Error::NotFound { endpoint },
        status => Error::UnexpectedBody {
            endpoint,
            status: status.as_u16(),
            excerpt: excerpt_bytes(&answer.body),
        },
    })
}

/// NinjaOne's application error body (ninjaone-api.md §2.4). `errorMessage` is usually text
/// but may be an object `{code, params}`, so it is not decoded further.
#[derive(Debug, Deserialize)]
struct ApplicationError {
    #[serde(rename = "resultCode")]
    result_code: String,
    #[serde(rename = "errorMessage", default)]
    _error_message: Option<serde_json::Value>,
}

impl ApplicationError {
    fn parse(body: &[u8]) -> Option<ApplicationError> {
        serde_json::from_slice(body).ok()
    }

    fn is(&self, code: &str) -> bool {
        self.result_code.eq_ignore_ascii_case(code)
    }
}

fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
    declared || body.trim_ascii_start().starts_with(b"<")
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
    Duration::try_from_secs_f64(secs).ok()
}

/// Warns when NinjaOne says the budget is nearly spent.
pub(super) fn warn_when_budget_low(headers: &HeaderMap, endpoint: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: Option<&str>, body: &str) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn html_with_200_is_throttling() {
        let page = answer(
            200,
            Some("text/html; charset=utf-8"),
            "<html>slow down</html>",
        );
        let retry = retry_needed("/v2/devices", &page, 1).unwrap();
        assert_eq!(retry.reason, WaitReason::Throttled);
        let undeclared = answer(200, None, "  <html>slow down</html>");
        assert!(retry_needed("/v2/devices", &undeclared, 1).is_some());
        assert!(retry_needed("/v2/devices", &answer(200, None, "[]"), 1).is_none());
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_nonsense_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        for nonsense in ["-1", "NaN", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            headers.insert(RETRY_AFTER, nonsense.parse().unwrap());
            assert_eq!(retry_after(&headers), None, "{nonsense}");
        }
    }

    const EXPIRED: &str =
        r#"{"resultCode":"CURSOR_EXPIRED","errorMessage":"Cursor expired, start the query again"}"#;

    #[test]
    fn an_expired_cursor_is_recognised_by_its_result_code_on_a_cursor_request() {
        let expired = answer(400, Some("application/json"), EXPIRED);
        assert!(matches!(
            refusal("/v2/queries/volumes", &expired, true),
            Some(Error::CursorExpired { .. })
        ));
        assert!(
            matches!(
                refusal("/v2/queries/volumes", &expired, false),
                Some(Error::UnexpectedBody { status: 400, .. })
            ),
            "no cursor was sent, so no cursor can have expired"
        );
    }

    #[test]
    fn a_body_that_merely_mentions_a_cursor_is_not_an_expired_cursor() {
        let missing = answer(
            404,
            Some("application/json"),
            r#"{"resultCode":"FAILURE","errorMessage":"HTTP 404 Not Found: cursor"}"#,
        );
        assert!(matches!(
            refusal("/v2/queries/volumes", &missing, true),
            Some(Error::NotFound { .. })
        ));
        let bad = answer(400, Some("text/plain"), "bad cursor parameter");
        assert!(matches!(
            refusal("/v2/queries/volumes", &bad, true),
            Some(Error::UnexpectedBody { status: 400, .. })
        ));
    }

    #[test]
    fn application_errors_accept_an_object_message() {
        let body = br#"{"resultCode":"cursor_expired","errorMessage":{"code":"x","params":{}}}"#;
        assert!(ApplicationError::parse(body).unwrap().is(CURSOR_EXPIRED));
    }
}

//! One HTTP exchange and what can go wrong below the level of NinjaOne's answers: the
//! connection (refused, dropped, timed out, or a failed TLS handshake, recognised by the
//! error's type), a redirect (never followed: it would carry the secret or the token
//! elsewhere), and an answer too large to hold (read chunk by chunk, and abandoned at the
//! limit).

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;

use super::classify::Retryable;
use super::{Client, WaitReason};
use crate::error::excerpt;
use crate::Error;

/// An answer read in full.
pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why an exchange produced no answer.
pub(super) enum Failure {
    /// Another attempt cannot help.
    Final(Error),
    Retry(Retryable),
}

impl Client {
    /// Sends `request` and reads the answer's body, at most `body_limit` bytes of it.
    pub(super) async fn exchange(
        &self,
        endpoint: &str,
        request: reqwest::RequestBuilder,
        body_limit: usize,
        attempts: u32,
    ) -> Result<Answer, Failure> {
        let mut response = request
            .send()
            .await
            .map_err(|err| self.transport_failure(endpoint, &err, attempts))?;
        let status = response.status();
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let location = response
                .headers()
                .get(LOCATION)
                .map(|value| excerpt(&String::from_utf8_lossy(value.as_bytes())))
                .unwrap_or_else(|| "an address it did not name".into());
            return Err(Failure::Final(Error::Redirected {
                host: self.inner.base.host(),
                location,
            }));
        }
        let too_large = || {
            Failure::Final(Error::AnswerTooLarge {
                endpoint: endpoint.to_string(),
                limit_bytes: body_limit,
            })
        };
        if response
            .content_length()
            .is_some_and(|length| length > body_limit as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.transport_failure(endpoint, &err, attempts))?
        {
            if body.len() + chunk.len() > body_limit {
                // Dropping the response closes the connection: nothing more is read.
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers: response.headers().clone(),
            body,
        })
    }

    fn transport_failure(&self, endpoint: &str, err: &reqwest::Error, attempts: u32) -> Failure {
        let host = self.inner.base.host();
        let detail = error_chain(err);
        if is_tls_failure(err) {
            // A handshake that failed once fails again: a wrong address, or a proxy that
            // intercepts HTTPS.
            return Failure::Final(Error::Tls { host, detail });
        }
        let timeout = self.inner.config.timeout;
        let (error, reason) = if err.is_timeout() {
            (
                Error::Timeout {
                    endpoint: endpoint.to_string(),
                    timeout_secs: timeout.as_secs().max(1),
                    attempts,
                },
                WaitReason::Timeout { after: timeout },
            )
        } else {
            (
                Error::Unreachable { host, detail },
                WaitReason::ConnectionFailed,
            )
        };
        Failure::Retry(Retryable {
            error,
            reason,
            retry_after: None,
        })
    }
}

/// Whether rustls failed somewhere down the error's chain of causes. With reqwest 0.12 and
/// rustls, a failed handshake arrives as `reqwest::Error` → `hyper_util` connect error →
/// `io::Error` (Other) → `io::Error` (InvalidData) → `rustls::Error`: e.g.
/// `InvalidMessage(InvalidContentType)` when the server speaks plain HTTP, or
/// `InvalidCertificate(..)` for a self-signed certificate. A name that does not resolve is a
/// `ConnectError("dns error", io::Error)` with no rustls error in it, whatever the name says.
fn is_tls_failure(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(current) = cause {
        if current.is::<rustls::Error>() {
            return true;
        }
        // `io::Error::source` skips the error it wraps (it returns that error's source), so
        // the wrapped error is looked at directly.
        cause = match current.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => None,
            },
            None => current.source(),
        };
    }
    false
}

/// Every message of the error and its causes, for the error's detail.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("connection failed")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.0)
        }
    }

    #[test]
    fn tls_failures_are_recognised_by_type_not_by_words() {
        // The nesting reqwest 0.12 produces for a certificate it does not trust.
        let handshake = Wrapper(Box::new(std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ))));
        assert!(is_tls_failure(&handshake));
        let direct = Wrapper(Box::new(rustls::Error::HandshakeNotComplete));
        assert!(is_tls_failure(&direct));
        let wordy = Wrapper(Box::new(std::io::Error::other(
            "dns error for ssl-gateway.invalid: TLS certificate handshake",
        )));
        assert!(!is_tls_failure(&wordy));
    }
}

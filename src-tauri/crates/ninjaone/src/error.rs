//! What can go wrong talking to NinjaOne, each with its cause and its fix, because these
//! messages reach technicians (SPEC §2: the seeds' troubleshooting list). Errors carry the
//! endpoint path and short body excerpts, never a secret or a token.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("The NinjaOne address {url:?} cannot be used: {reason}.")]
    InvalidBaseUrl { url: String, reason: String },

    #[error("NinjaOne does not know this client id at {host} (it answered \"{answer}\"). Check the client id, and that the region matches the instance where the API application was created: a client only exists in its own region.")]
    InvalidClient { host: String, answer: String },

    #[error("NinjaOne rejected the client secret at {host}. Copy the secret again from Administration → Apps → API → Client App IDs, or generate a new one.")]
    WrongSecret { host: String },

    #[error("NinjaOne refused the request to {endpoint} ({status}): the API client lacks permission. Give the API application the 'monitoring' scope and access to the organizations you want to sync.")]
    Forbidden { endpoint: String, status: u16 },

    #[error("NinjaOne at {host} could not be reached ({detail}). Check the network connection, proxy and firewall, and that the region or custom address is right.")]
    Unreachable { host: String, detail: String },

    #[error("The secure connection to {host} failed ({detail}). Check the custom address, and whether a proxy or antivirus intercepts HTTPS.")]
    Tls { host: String, detail: String },

    #[error("NinjaOne did not answer {endpoint} within {timeout_secs} s, {attempts} times. Try again later; if it persists, check NinjaOne's status page.")]
    Timeout {
        endpoint: String,
        timeout_secs: u64,
        attempts: u32,
    },

    #[error("NinjaOne kept throttling {endpoint} after {attempts} attempts. Fleetward will retry on the next run; if this repeats, other tools may be using the same API budget.")]
    Throttled { endpoint: String, attempts: u32 },

    #[error("NinjaOne answered {endpoint} with something unexpected (HTTP {status}): {excerpt:?}. Try again; if it persists, report it with this message.")]
    UnexpectedBody {
        endpoint: String,
        status: u16,
        excerpt: String,
    },

    #[error("NinjaOne has no {endpoint} (HTTP 404). The item may have been deleted in NinjaOne.")]
    NotFound { endpoint: String },

    #[error("NinjaOne's report cursor for {endpoint} expired before every page was read. Fleetward starts the report again; if this repeats, try again when NinjaOne is less busy.")]
    CursorExpired { endpoint: String },

    #[error("NinjaOne rejected the access token for {endpoint} even after signing in again. Test the connection; the API application may have been disabled.")]
    TokenRejected { endpoint: String },
}

/// The broad category of an [`Error`], for callers that map errors to exit codes or UI kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCategory {
    InvalidInput,
    Authentication,
    Unreachable,
    Throttled,
    Other,
}

impl Error {
    pub fn category(&self) -> ErrorCategory {
        match self {
            Error::InvalidBaseUrl { .. } => ErrorCategory::InvalidInput,
            Error::InvalidClient { .. }
            | Error::WrongSecret { .. }
            | Error::Forbidden { .. }
            | Error::TokenRejected { .. } => ErrorCategory::Authentication,
            Error::Unreachable { .. } | Error::Tls { .. } | Error::Timeout { .. } => {
                ErrorCategory::Unreachable
            }
            Error::Throttled { .. } => ErrorCategory::Throttled,
            Error::UnexpectedBody { .. } | Error::NotFound { .. } | Error::CursorExpired { .. } => {
                ErrorCategory::Other
            }
        }
    }
}

/// At most this many characters of a response body go into an error.
pub(crate) const EXCERPT_CHARS: usize = 160;

/// A short, single-line excerpt of a body for an error message.
pub(crate) fn excerpt(body: &str) -> String {
    let flat: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(EXCERPT_CHARS)
        .collect();
    if body.chars().count() > EXCERPT_CHARS {
        format!("{flat}…")
    } else {
        flat
    }
}

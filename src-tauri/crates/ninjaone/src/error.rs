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

    #[error("NinjaOne at {host} answered with a redirect to {location}. Fleetward never follows redirects with credentials; if you trust that address, use it as the base URL.")]
    Redirected { host: String, location: String },

    #[error("The answer to {endpoint} was larger than {}, so Fleetward stopped reading it. Check that the address points at NinjaOne itself and not at a proxy or sign-in page; if it does, report this message.", size(*.limit_bytes))]
    AnswerTooLarge {
        endpoint: String,
        limit_bytes: usize,
    },

    #[error("NinjaOne's report {endpoint} went past {limit} without ending, so Fleetward stopped reading it instead of filling memory. Try again later; if it repeats, report this message (the report's cursor never ends).")]
    ReportTooLarge { endpoint: String, limit: String },
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
            Error::InvalidBaseUrl { .. } | Error::Redirected { .. } => ErrorCategory::InvalidInput,
            Error::InvalidClient { .. }
            | Error::WrongSecret { .. }
            | Error::Forbidden { .. }
            | Error::TokenRejected { .. } => ErrorCategory::Authentication,
            Error::Unreachable { .. } | Error::Tls { .. } | Error::Timeout { .. } => {
                ErrorCategory::Unreachable
            }
            Error::Throttled { .. } => ErrorCategory::Throttled,
            Error::UnexpectedBody { .. }
            | Error::NotFound { .. }
            | Error::CursorExpired { .. }
            | Error::AnswerTooLarge { .. }
            | Error::ReportTooLarge { .. } => ErrorCategory::Other,
        }
    }
}

/// At most this many characters of a response body go into an error.
pub(crate) const EXCERPT_CHARS: usize = 160;

/// A short, single-line excerpt of a body for an error message. Server text reaches a
/// terminal and the UI, so anything that could rewrite what the technician sees is flattened
/// to a space: control characters (ESC of ANSI sequences, BEL, CR, …) and the bidirectional
/// overrides and isolates that can make text read in a different order than it is stored.
pub(crate) fn excerpt(body: &str) -> String {
    let flat: String = body
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if rewrites_display(c) { ' ' } else { c })
        .collect();
    if body.chars().nth(EXCERPT_CHARS).is_some() {
        format!("{flat}…")
    } else {
        flat
    }
}

/// [`excerpt`] of a body that may not be UTF-8 and may be large: only its start is decoded.
pub(crate) fn excerpt_bytes(body: &[u8]) -> String {
    // A character is at most 4 bytes, so this prefix holds every character the excerpt keeps,
    // plus one to tell whether anything was cut.
    let prefix = &body[..body.len().min(EXCERPT_CHARS * 4 + 4)];
    excerpt(&String::from_utf8_lossy(prefix))
}

fn rewrites_display(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates (LRI, RLI,
            // FSI, PDI), and the implicit marks (LRM, RLM, ALM).
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            // Line and paragraph separators break the "single line" promise.
            | '\u{2028}' | '\u{2029}')
}

/// A byte count as a person reads it: `64 KiB`, `64 MiB`.
pub(crate) fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_neutralise_terminal_and_bidi_controls() {
        let hostile =
            "ok\u{1b}[31mred\u{7}bell\rreturn\u{202E}desrever\u{2066}isolated\u{2069}\u{200F}end";
        let shown = excerpt(hostile);
        assert_eq!(shown, "ok [31mred bell return desrever isolated  end");
        assert!(shown.chars().all(|c| !rewrites_display(c)), "{shown:?}");
    }

    #[test]
    fn excerpts_are_cut_and_marked() {
        let long = "x".repeat(EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
        assert!(excerpt(&long).ends_with('…'));
        assert_eq!(excerpt("short"), "short");
        let huge = vec![b'y'; 10 * 1024 * 1024];
        assert!(excerpt_bytes(&huge).ends_with('…'));
    }

    #[test]
    fn limits_read_as_sizes() {
        let err = Error::AnswerTooLarge {
            endpoint: "/ws/oauth/token".into(),
            limit_bytes: 64 * 1024,
        };
        assert!(err.to_string().contains("larger than 64 KiB"), "{err}");
        assert_eq!(size(64 * 1024 * 1024), "64 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}

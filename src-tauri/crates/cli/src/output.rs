//! Printing results: JSON (camelCase, one document) with `--json`, readable text otherwise.
//! Progress goes to stderr so that stdout stays machine-readable.
//!
//! Human text never carries a raw control character from a name: a remote party (an
//! organization name in NinjaOne) or a paste must not be able to clear the terminal, ring
//! it, or forge rows. JSON stays exact; its encoder escapes control characters itself.
//! A closed stdout (`| head -1`) ends the command quietly; a full disk is a clear error.

use std::borrow::Cow;
use std::io::Write;

use fleetward_core::Error;
use serde::Serialize;

pub struct Output {
    json: bool,
}

/// Why printing stopped.
#[derive(Debug)]
pub enum PrintError {
    /// The reader went away (`| head`): nothing more to say, not a failure.
    Closed,
    Failed(Error),
}

impl From<PrintError> for Option<Error> {
    fn from(err: PrintError) -> Option<Error> {
        match err {
            PrintError::Closed => None,
            PrintError::Failed(err) => Some(err),
        }
    }
}

impl Output {
    pub fn new(json: bool) -> Output {
        Output { json }
    }

    /// Prints `value` as JSON, or `text()` for people.
    pub fn print<T: Serialize>(
        &self,
        value: &T,
        text: impl FnOnce() -> String,
    ) -> Result<(), PrintError> {
        let text = if self.json {
            serde_json::to_string_pretty(value).map_err(|err| {
                PrintError::Failed(Error::Internal(format!(
                    "The result could not be written as JSON: {err}"
                )))
            })?
        } else {
            text().trim_end().to_string()
        };
        if text.is_empty() {
            return Ok(());
        }
        write_stdout(&text)
    }

    /// A line of human text on stdout (the headless demo's narration); nothing with `--json`.
    pub fn say(&self, text: &str) -> Result<(), PrintError> {
        if self.json {
            return Ok(());
        }
        write_stdout(text)
    }

    /// Text that is already in its final format (an export), the same with or without
    /// `--json`.
    pub fn raw(&self, text: &str) -> Result<(), PrintError> {
        write_stdout(text.trim_end())
    }

    pub fn progress(&self, message: &str) {
        eprintln!("{message}");
    }
}

fn write_stdout(text: &str) -> Result<(), PrintError> {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(()),
        Err(err) if is_closed(&err) => Err(PrintError::Closed),
        Err(err) => Err(PrintError::Failed(Error::Internal(format!(
            "The output could not be written ({err}). If it goes to a file, check that the disk \
             has space and the file is writable."
        )))),
    }
}

/// The reader of stdout went away (`| head`). Windows says so with ERROR_NO_DATA (232),
/// which std maps to BrokenPipe, or ERROR_PIPE_NOT_CONNECTED (233, what Wine gives), which
/// it does not.
fn is_closed(err: &std::io::Error) -> bool {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    #[cfg(windows)]
    return matches!(err.raw_os_error(), Some(232 | 233));
    #[cfg(not(windows))]
    false
}

/// A value as it may appear in human text: control characters and direction overrides are
/// shown as escapes (`\n`, `\u{1b}`) instead of acting on the terminal.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(fleetward_core::companies::is_unprintable) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                c if fleetward_core::companies::is_unprintable(c) => {
                    format!("\\u{{{:x}}}", c as u32)
                }
                c => c.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_names_are_shown_escaped_not_acted_on() {
        assert_eq!(shown("Acme Ltd"), "Acme Ltd");
        assert_eq!(
            shown("Evil\u{1b}[2J\n   7  Forged\u{7}\u{202e}"),
            "Evil\\u{1b}[2J\\n   7  Forged\\u{7}\\u{202e}"
        );
        assert_eq!(shown("a\rb\tc"), "a\\rb\\tc");
    }
}

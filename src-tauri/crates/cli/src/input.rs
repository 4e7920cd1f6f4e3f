//! Reading a command's input file or standard input within a limit: an input larger than the
//! limit (or endless, like `/dev/zero`) is refused once one byte past it has been read, so it
//! never fills memory before being judged.

use std::io::Read;
use std::path::Path;

use fleetward_core::Error;

/// The bytes of `file`, or of standard input without one, when they are at most `limit_bytes`.
/// `what` names the input in messages ("The import file").
pub fn read(file: Option<&Path>, limit_bytes: usize, what: &str) -> Result<Vec<u8>, Error> {
    match file {
        Some(path) => {
            let opened = std::fs::File::open(path).map_err(|e| {
                Error::InvalidInput(format!(
                    "{} cannot be read ({e}). Check the path and that the file is readable.",
                    path.display()
                ))
            })?;
            within(opened, limit_bytes, &path.display().to_string())
        }
        None => within(std::io::stdin().lock(), limit_bytes, what),
    }
}

/// Reads at most one byte past `limit_bytes` from `input`; more is refused.
pub fn within(input: impl Read, limit_bytes: usize, what: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    input
        .take(limit_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InvalidInput(format!("{what} could not be read: {e}")))?;
    if bytes.len() > limit_bytes {
        return Err(Error::InvalidInput(format!(
            "{what} is larger than {} MiB, the limit; nothing was read past it. Split it into \
             smaller files and give each in turn.",
            limit_bytes / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_input_is_refused_at_the_limit_without_reading_on() {
        let endless = std::io::repeat(0);
        let err = within(endless, 1024 * 1024, "Standard input").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("larger than 1 MiB"), "{text}");
        assert!(matches!(err, Error::InvalidInput(_)));
    }

    #[test]
    fn an_input_of_exactly_the_limit_is_read_whole() {
        let input = vec![b'x'; 2048];
        assert_eq!(within(&input[..], 2048, "the file").unwrap(), input);
        assert!(within(&input[..], 2047, "the file").is_err());
    }
}

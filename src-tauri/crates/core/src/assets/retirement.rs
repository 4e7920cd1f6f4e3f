//! Why an asset is retired (SPEC §4, §6). The reason is stored with the asset and shown
//! wherever it is listed, so it must read as a sentence a technician understands.

use crate::ids::AssetId;
use crate::sync::dedup::MatchReason;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetiredReason {
    /// Its NinjaOne connection was disconnected (SPEC §6); the row stays for the record.
    Disconnected,
    /// The same machine came in from a source of higher precedence (SPEC §4 dedup).
    DuplicateOf {
        winner: AssetId,
        reason: MatchReason,
    },
}

impl std::fmt::Display for RetiredReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetiredReason::Disconnected => f.write_str("NinjaOne disconnected"),
            RetiredReason::DuplicateOf { winner, reason } => {
                write!(f, "duplicate of asset {winner} ({reason})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_the_technician_sees_them() {
        assert_eq!(
            RetiredReason::Disconnected.to_string(),
            "NinjaOne disconnected"
        );
        assert_eq!(
            RetiredReason::DuplicateOf {
                winner: AssetId(9),
                reason: MatchReason::Serial
            }
            .to_string(),
            "duplicate of asset 9 (same serial number)"
        );
    }
}

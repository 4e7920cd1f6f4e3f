//! The CLI's exit codes (SPEC §10). Scripts depend on these numbers; never renumber.

use fleetward_core::ErrorKind;

pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const AUTHENTICATION: u8 = 3;
pub const UNREACHABLE: u8 = 4;
pub const THROTTLED: u8 = 5;
pub const STORE: u8 = 6;
pub const ALREADY_RUNNING: u8 = 7;
/// 128 + SIGINT, as shells report a command stopped by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

pub fn code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::NotFound => USAGE,
        ErrorKind::Authentication => AUTHENTICATION,
        ErrorKind::Unreachable => UNREACHABLE,
        ErrorKind::Throttled => THROTTLED,
        ErrorKind::Store => STORE,
        ErrorKind::AlreadyRunning => ALREADY_RUNNING,
        ErrorKind::NotConfigured | ErrorKind::Unavailable | ErrorKind::Internal => OTHER,
    }
}

//! Fleetward's engine. Everything the product decides lives here; the desktop shell and the
//! CLI are thin adapters over [`Engine`]. This crate must never depend on Tauri (SPEC §1), so
//! that it builds and tests in seconds and the CLI can drive the very same code.

pub mod audit;
pub mod companies;
pub mod connection;
pub mod data_dir;
pub mod demo;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod notifications;
pub mod organizations;
pub mod secrets;
pub mod self_check;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod time;

pub use engine::{Engine, EngineConfig, EngineStatus, Trigger};
pub use error::{Error, ErrorKind, ErrorReport, Result};
pub use events::{EngineEvent, NoticeSeverity};
pub use self_check::SelfCheck;

/// The product version, shared by the app, the CLI and every report they print.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

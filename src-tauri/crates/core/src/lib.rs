//! Fleetward's engine. Everything the product decides lives here; the desktop shell and the
//! CLI are thin adapters over [`Engine`]. This crate must never depend on Tauri (SPEC §1), so
//! that it builds and tests in seconds and the CLI can drive the very same code.
//!
//! Layers: `store/` holds every query (one module per table or aggregate, typed rows);
//! the domain modules (`connection`, `organizations`, `companies`, `assets`, `compliance`)
//! hold the rules as pure functions with a passed-in time; [`Engine`] is the facade with one
//! method per user action.

pub mod allocator;
pub mod assets;
pub mod audit;
pub mod companies;
pub mod compliance;
pub mod connection;
pub mod data_dir;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod incidents;
pub mod notifications;
pub mod organizations;
pub mod runs;
pub mod schedule;
pub mod secrets;
pub mod store;
pub mod sync;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod time;

pub use engine::{ClientTuning, Deadlines, Engine, EngineConfig, EngineStatus, Trigger};
pub use error::{Error, ErrorKind, ErrorReport, Result};
pub use events::{EngineEvent, EventChannel, NoticeSeverity};
pub use store::self_check::SelfCheck;

/// The product version, shared by the app, the CLI and every report they print.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

//! NinjaOne-compatible HTTP simulator (SPEC §1): a loopback server with NinjaOne's shapes,
//! paging and failure modes, used by every integration test, the benchmarks and demo mode.
//!
//! The tenant is generated from a seed, so two simulators with the same [`SimConfig`] serve
//! the same data; [`Control`] changes that data and injects throttling and faults while the
//! server runs. Payloads are `ninjaone::models` types, so the simulator and the client share
//! one definition of every shape.
//!
//! Facts and their sources: `shared/reference/ninjaone-api.md`.

mod activities;
mod clock;
mod config;
mod control;
mod cursors;
pub mod demo;
mod devices;
mod faults;
mod filter;
mod organizations;
mod profile;
mod reports;
mod rng;
mod server;
mod simulator;
mod stats;
mod tenant;

pub use config::{OrgPosture, SimConfig};
pub use control::Control;
pub use faults::{FaultKind, Faults, RateLimit};
pub use simulator::Simulator;
pub use stats::Stats;

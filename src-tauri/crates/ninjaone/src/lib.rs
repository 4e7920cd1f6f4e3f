//! NinjaOne RMM API client. It talks to NinjaOne and nothing else: no knowledge of
//! Fleetward's store or domain, so it can be tested against the simulator alone.
//!
//! Facts and their sources: `shared/reference/ninjaone-api.md`.

mod api;
mod base_url;
mod client;
mod error;
mod filter;
pub mod models;
mod paging;
pub mod rate_limit;
mod region;

/// The product's one clock (`fleetward-clock`), under the name callers of this crate use.
pub use fleetward_clock as clock;

pub use api::ActivityQuery;
pub use base_url::BaseUrl;
pub use client::{
    Client, ClientConfig, ClientStats, Credentials, Grant, RetryPolicy, Wait, WaitObserver,
    WaitReason, SCOPE,
};
pub use error::{Error, ErrorCategory, Result};
pub use filter::DeviceFilter;
pub use paging::Read;
pub use rate_limit::RateBudgets;
pub use region::Region;
pub use secrecy;

//! NinjaOne RMM API client. It talks to NinjaOne and nothing else: no knowledge of
//! Fleetward's store or domain, so it can be tested against the simulator alone.
//!
//! Facts and their sources: `shared/reference/ninjaone-api.md`.

mod api;
mod base_url;
mod client;
pub mod clock;
mod error;
mod filter;
pub mod models;
mod paging;
pub mod rate_limit;
mod region;

pub use api::ActivityQuery;
pub use base_url::BaseUrl;
pub use client::{Client, ClientConfig, ClientStats, Credentials, Grant, RetryPolicy, SCOPE};
pub use error::{Error, ErrorCategory, Result};
pub use filter::DeviceFilter;
pub use region::Region;
pub use secrecy;

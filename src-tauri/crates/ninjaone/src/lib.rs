//! NinjaOne RMM API client. It talks to NinjaOne and nothing else: no knowledge of
//! Fleetward's store or domain, so it can be tested against the simulator alone.

pub mod region;

pub use region::Region;

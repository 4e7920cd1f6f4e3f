//! NinjaOne-compatible HTTP simulator (SPEC §1): a loopback server with NinjaOne's shapes,
//! paging and failure modes, used by every integration test, the benchmarks and demo mode.
//!
//! Not built yet: the NinjaOne client and simulator capability (issue 4) fills this crate.
//! It exists now so the workspace has its final shape.

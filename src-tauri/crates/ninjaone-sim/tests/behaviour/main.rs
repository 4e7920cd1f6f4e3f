//! Behaviour tests of the simulator over loopback HTTP: authentication, the three paging
//! styles, the `df` filter, throttling and faults, statistics, the control API and
//! determinism. One test binary, so the suite links once.

mod support;

mod auth;
mod control_api;
mod determinism;
mod faults;
mod filters;
mod paging;
mod stats;

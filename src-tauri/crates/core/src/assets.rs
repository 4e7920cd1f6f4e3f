//! Assets in companies' inventories (SPEC §4). Assets are never deleted; `retirement` says
//! why one stops counting.

pub mod retirement;

pub use retirement::RetiredReason;

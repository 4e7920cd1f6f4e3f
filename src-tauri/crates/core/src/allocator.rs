//! The allocator of every Fleetward binary is mimalloc (much cheaper than the system's for the
//! engine's many small allocations). By default it keeps freed memory committed for a while
//! and commits whole arenas up front, which after a sweep of a large tenant showed as ~90 MB
//! more resident memory than the data needed; these settings give memory back at once.

/// mimalloc's `mi_option_e` numbers (mimalloc.h, v2) for options libmimalloc-sys does not
/// name.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Call first thing in `main`: freed memory goes back to the system at once, and arenas are
/// committed as they are used rather than up front.
pub fn give_memory_back_promptly() {
    // SAFETY: mi_option_set only stores an option value; it is safe to call at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

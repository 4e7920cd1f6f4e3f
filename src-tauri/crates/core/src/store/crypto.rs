//! The crypto library under SQLCipher, set up so that a process can end safely.
//!
//! By default OpenSSL frees its global state from an `atexit` handler. SQLite connections
//! close on their own threads (sqlx's workers), and such a thread may still be freeing its
//! OpenSSL thread state while the main thread runs that handler: glibc then aborts with
//! "double free or corruption" as the process ends (seen in CI and caught in a core dump:
//! `OPENSSL_cleanup` in `exit` on the main thread, a worker's thread-specific data being
//! freed beside it). Asking OpenSSL not to clean up at exit removes the race; the operating
//! system reclaims the memory anyway.
//!
//! Windows is left alone: `ExitProcess` ends every other thread before exit handlers run.

/// Must run before SQLCipher first uses OpenSSL (the first store opened): the handler is
/// registered by OpenSSL's first initialisation. Idempotent.
pub fn init_for_clean_exit() {
    #[cfg(not(windows))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // `OPENSSL_INIT_NO_ATEXIT` (OpenSSL ≥ 1.1.1b; SQLCipher here links 3.x).
            const OPENSSL_INIT_NO_ATEXIT: u64 = 0x0008_0000;
            extern "C" {
                fn OPENSSL_init_crypto(opts: u64, settings: *const std::ffi::c_void) -> i32;
            }
            // SAFETY: a documented OpenSSL entry point, called with a null settings pointer
            // (allowed: defaults), before any other OpenSSL use in this process.
            let ok = unsafe { OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, std::ptr::null()) };
            if ok != 1 {
                tracing::warn!("OpenSSL did not accept the no-cleanup-at-exit setting");
            }
        });
    }
}

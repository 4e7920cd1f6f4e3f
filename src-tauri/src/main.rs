// Keep Windows release builds from opening a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc rather than the system allocator: far cheaper for the engine's many small
/// allocations (see `cargo xtask bench sync`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Before anything starts a thread: both change process-wide settings.
    fleetward_lib::webview::prefer_software_compositing();
    fleetward_core::allocator::give_memory_back_promptly();
    fleetward_lib::run();
}

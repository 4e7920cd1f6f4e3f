//! How the Linux webview (WebKitGTK) draws. Fleetward's screens are tables, cards and one SVG
//! chart: nothing that needs the GPU. WebKitGTK's accelerated compositing, on by default,
//! costs a GL stack in the web process. Without a GPU driver (virtual machines, remote
//! desktops, CI) that is Mesa's llvmpipe, which compiles its shaders on first use:
//! `cargo xtask bench startup` measured the first screen at 4.77 s cold / 1.52 s warm with
//! it and 1.24 s / 0.93 s without it, and WebKit's web process idles at 193 MB instead of
//! 298 MB. It is also the usual cause of blank windows on some GPU drivers. So Fleetward
//! draws without it unless the person says otherwise:
//! `WEBKIT_DISABLE_COMPOSITING_MODE=0` in the environment keeps compositing on.

/// The variable WebKitGTK reads once, when the web process starts.
pub const COMPOSITING_VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// The value to set, or `None` when the environment already says (either way).
pub fn compositing_setting(current: Option<&std::ffi::OsStr>) -> Option<&'static str> {
    match current {
        Some(_) => None,
        None => Some("1"),
    }
}

/// Call first in `main`, while the process has one thread: the environment is read by
/// WebKitGTK's processes, which inherit it.
pub fn prefer_software_compositing() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let current = std::env::var_os(COMPOSITING_VARIABLE);
    if let Some(value) = compositing_setting(current.as_deref()) {
        std::env::set_var(COMPOSITING_VARIABLE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_is_turned_off_unless_the_environment_already_says() {
        assert_eq!(compositing_setting(None), Some("1"));
        assert_eq!(compositing_setting(Some("0".as_ref())), None);
        assert_eq!(compositing_setting(Some("1".as_ref())), None);
    }
}

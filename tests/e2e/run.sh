#!/usr/bin/env bash
# Runs the WebDriver suite against the real app binary: a private Xvfb display, Debian's
# WebKitWebDriver on a free loopback port (reference/feasibility.md §5), and a throw-away HOME
# and data folder so runs never see each other's data. Everything started here is stopped on
# exit. Usage (from the repo root): dbus-run-session -- bash tests/e2e/run.sh
# FLEETWARD_APP picks another binary (default: the debug build), E2E_TESTS other test files.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

app=${FLEETWARD_APP:-${CARGO_TARGET_DIR:-$root/target}/debug/fleetward}
[ -x "$app" ] || { echo "e2e: app binary $app not found; build it with 'cargo build -p fleetward'" >&2; exit 1; }
for tool in Xvfb WebKitWebDriver node; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing; run 'cargo xtask setup'" >&2; exit 1; }
done
[ -d tests/e2e/node_modules ] || (cd tests/e2e && npm ci --no-audit --no-fund)

artifacts=$root/target/e2e
mkdir -p "$artifacts"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # A process started by the app under test may still be writing there: cleanup never fails.
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

# A free display number and a free port, each probed rather than assumed.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$artifacts/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$display" ] || { echo "e2e: Xvfb did not start (see $artifacts/xvfb.log)" >&2; exit 1; }

export DISPLAY=":$display"
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_CONFIG_HOME=$work/home/.config
export FLEETWARD_DATA_DIR=$work/data
mkdir -p "$HOME" "$XDG_DATA_HOME"
# The app keeps its store key in the OS keychain: an unlocked gnome-keyring in this private
# D-Bus session (run.sh is started under dbus-run-session) plays the desktop's keyring.
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  printf 'fleetward-e2e' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
fi
# The app draws without accelerated compositing unless told otherwise (src-tauri/src/
# webview.rs); in that mode WebKitWebDriver's screenshot waits for the page's next paint,
# which a still page never makes (measured: 174 s, until a scheduled poll repainted). The
# suite runs with compositing on; the .deb install test shows the default mode painting.
export WEBKIT_DISABLE_COMPOSITING_MODE=${WEBKIT_DISABLE_COMPOSITING_MODE:-0}
# The app inherits WebKitWebDriver's environment; without TAURI_WEBVIEW_AUTOMATION the
# session request hangs (feasibility.md §5).
TAURI_WEBVIEW_AUTOMATION=true WebKitWebDriver --port="$port" --host=127.0.0.1 >"$artifacts/webdriver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break
  sleep 0.1
done

export FLEETWARD_APP=$app WEBDRIVER_URL="http://127.0.0.1:$port" E2E_ARTIFACTS=$artifacts
# E2E_TESTS names other test files: the .deb install test runs selfupdate.mjs against the
# installed app this way.
# shellcheck disable=SC2086
node --test --test-reporter=spec --test-concurrency=1 ${E2E_TESTS:-tests/e2e/*.test.mjs}

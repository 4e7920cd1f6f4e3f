// Run by the .deb install test (`cargo xtask test`), not by the e2e suite: the installed app,
// built with a throw-away update key and a loopback feed (a config overlay, never the
// committed config), updates itself through Settings → Updates. The feed offers the real
// package of this version, signed with that key, for the `linux-x86_64-deb` target; the
// plugin verifies it and installs it with `sudo dpkg -i`. The install test then checks the
// installed version in dpkg itself.
//
// FLEETWARD_FROM_VERSION: the installed (older) version; FLEETWARD_TO_VERSION: the offered one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { By, until } from "selenium-webdriver";
import { appSession, openScreen, screenshot, WAIT_MS } from "./session.mjs";

const from = process.env.FLEETWARD_FROM_VERSION;
const to = process.env.FLEETWARD_TO_VERSION;
// The app ends itself here: it relaunches after installing.
const session = appSession({ endsItself: true });

function installedVersion() {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Version}", "fleetward"], {
      encoding: "utf8",
    }).trim();
  } catch {
    return "";
  }
}

function runningApps() {
  try {
    return execFileSync("pgrep", ["-x", "fleetward"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function mainText(driver) {
  return driver.findElement(By.css("main")).getText();
}

async function clickButton(driver, label) {
  const button = await driver.wait(
    until.elementLocated(By.xpath(`//main//button[normalize-space()="${label}"]`)),
    WAIT_MS,
  );
  await driver.wait(until.elementIsEnabled(button), WAIT_MS);
  await button.click();
}

test("the installed app finds, verifies and installs the signed newer .deb, then restarts", async () => {
  assert.ok(from && to, "FLEETWARD_FROM_VERSION and FLEETWARD_TO_VERSION are set");
  try {
    await updateThroughSettings(session.driver);
  } catch (error) {
    // What the screen said when it went wrong, for the person reading the CI log.
    const text = await mainText(session.driver).catch(() => "(the window is gone)");
    console.log(`the screen said:\n${text}`);
    await screenshot(session.driver, "update-failed").catch(() => {});
    throw error;
  }
});

/**
 * Presses "Check for updates" until the screen reacts: the sections above it finish loading
 * on their own and can move the button between WebDriver's scroll and its click, which then
 * lands beside it (seen once in CI: no "Checking…", no result, 30 s later).
 */
async function checkForUpdates(driver, result) {
  for (let attempt = 1; ; attempt += 1) {
    await clickButton(driver, "Check for updates");
    const reacted = await driver
      .wait(async () => {
        const text = await mainText(driver).catch(() => "");
        return text.includes("Checking…") || text.includes(result) || text.includes("latest");
      }, 5_000)
      .then(
        () => true,
        () => false,
      );
    if (reacted || attempt === 3) return;
  }
}

async function showing(driver, text) {
  await driver.wait(
    async () => (await mainText(driver).catch(() => "")).includes(text),
    WAIT_MS,
    `the screen never said "${text}"`,
  );
}

async function updateThroughSettings(driver) {
  assert.equal(installedVersion(), from);
  await openScreen(driver, "Settings");
  await showing(driver, `Current version ${from}`);
  await showing(driver, "Signed updates from 1 endpoint");

  await checkForUpdates(driver, `Version ${to} is available.`);
  await showing(driver, `Version ${to} is available.`);
  await showing(driver, "What's new");
  await showing(driver, "Signed by the install test");
  await screenshot(driver, "update-found");

  await clickButton(driver, "Download update");
  await showing(driver, "Downloaded and verified.");
  await screenshot(driver, "update-verified");

  const before = runningApps();
  assert.ok(before.length > 0, "the app under test runs as /usr/bin/fleetward");
  await clickButton(driver, "Install and restart");
  // dpkg replaces the package under the running app; the app then relaunches itself and the
  // WebDriver session ends with the old process.
  const deadline = Date.now() + 120_000;
  while (installedVersion() !== to && Date.now() < deadline) {
    const alert = await driver
      .findElements(By.css("main [role=alert]"))
      .then((found) => (found.length ? found[0].getText() : ""))
      .catch(() => "");
    assert.equal(alert, "", `the install failed in the app: ${alert}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(installedVersion(), to, `dpkg lists fleetward ${to} after the update`);

  // The relaunch starts the new binary as a new process.
  const relaunchDeadline = Date.now() + 60_000;
  let fresh = [];
  while (fresh.length === 0 && Date.now() < relaunchDeadline) {
    fresh = runningApps().filter((pid) => !before.includes(pid));
    if (fresh.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.ok(fresh.length > 0, "a new fleetward process started after the install (relaunch)");
  console.log(`updated ${from} → ${to}; relaunched as pid ${fresh.join(", ")}`);
  // The relaunched app is nobody's child here: stop it before run.sh removes its HOME.
  for (const pid of fresh) process.kill(Number(pid));
  const stopDeadline = Date.now() + 15_000;
  while (runningApps().some((pid) => fresh.includes(pid)) && Date.now() < stopDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

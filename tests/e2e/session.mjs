// Shared by the WebDriver tests: one app session per test file, screenshots under
// target/e2e/, and navigation through the sidebar.
import { after, before } from "node:test";
import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

export const WAIT_MS = 30_000;

/**
 * Starts the real app for this file's tests and quits it afterwards. With `endsItself` the
 * app may be gone by then (it relaunched after an update), so a failed quit is expected.
 */
export function appSession({ endsItself = false } = {}) {
  const session = { driver: undefined };
  before(async () => {
    // The app of the previous file may still be exiting and holding the single-instance
    // name; a new app would then hand its arguments over and exit.
    await appGone();
    const started = new Builder()
      .usingServer(process.env.WEBDRIVER_URL)
      .withCapabilities({
        browserName: "wry",
        "webkitgtk:browserOptions": { binary: process.env.FLEETWARD_APP, args: [] },
      })
      .build();
    // An app that exits at start leaves WebKitWebDriver waiting for it forever: fail instead.
    let timer;
    const stalled = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the app did not start within ${START_MS / 1000} s; see webdriver.log`)),
        START_MS,
      );
    });
    try {
      session.driver = await Promise.race([started, stalled]);
    } finally {
      clearTimeout(timer);
    }
  });
  after(async () => {
    const quit = session.driver?.quit();
    await (endsItself ? quit?.catch(() => {}) : quit);
    await appGone();
  });
  return session;
}

/** How long an app may take to open its window before the session is given up. */
const START_MS = 120_000;

/** The pids of running processes of the app binary under test (Linux: /proc). */
function appProcesses() {
  const binary = realpathSync(process.env.FLEETWARD_APP);
  const pids = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "") === binary) pids.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** Waits (up to 20 s) until no process of the app under test runs. */
async function appGone() {
  for (let waited = 0; waited < 20_000 && appProcesses().length; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function screenshot(driver, name) {
  // WebKit captures the last painted frame: let two frames paint first so the picture shows
  // the state the assertions just saw.
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1];" +
      "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
  );
  const path = join(process.env.E2E_ARTIFACTS, `${name}.png`);
  await writeFile(path, await driver.takeScreenshot(), "base64");
  console.log(`screenshot: ${path}`);
}

export async function heading(driver) {
  const h1 = await driver.wait(until.elementLocated(By.css("main h1")), WAIT_MS);
  return h1.getText();
}

export async function openScreen(driver, label) {
  const link = await driver.wait(
    until.elementLocated(By.xpath(`//nav[@aria-label="Main"]//a[normalize-space()="${label}"]`)),
    WAIT_MS,
  );
  await link.click();
  // The screen may re-render its heading while it loads: a stale element is "not yet".
  await driver.wait(
    async () => (await heading(driver).catch(() => null)) === label,
    WAIT_MS,
    `screen ${label} did not open`,
  );
}

/** Runs `work` again (a few times) when the page replaced an element it was holding. */
export async function retryStale(work, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error?.name !== "StaleElementReferenceError" || attempt >= attempts) throw error;
    }
  }
}

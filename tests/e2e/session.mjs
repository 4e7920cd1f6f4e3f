// Shared by the WebDriver tests: one app session per test file, screenshots under
// target/e2e/, and navigation through the sidebar.
import { after, before } from "node:test";
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
    session.driver = await new Builder()
      .usingServer(process.env.WEBDRIVER_URL)
      .withCapabilities({
        browserName: "wry",
        "webkitgtk:browserOptions": { binary: process.env.FLEETWARD_APP, args: [] },
      })
      .build();
  });
  after(async () => {
    const quit = session.driver?.quit();
    await (endsItself ? quit?.catch(() => {}) : quit);
  });
  return session;
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

// The real Fleetward binary, driven over WebDriver: the window opens with its title, the
// navigation moves between screens, Settings shows what the engine reports through IPC, and
// a screenshot is kept under target/e2e/ for a person to look at.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

const WAIT_MS = 20_000;
let driver;

before(async () => {
  driver = await new Builder()
    .usingServer(process.env.WEBDRIVER_URL)
    .withCapabilities({
      browserName: "wry",
      "webkitgtk:browserOptions": { binary: process.env.FLEETWARD_APP, args: [] },
    })
    .build();
});

after(async () => {
  await driver?.quit();
});

async function screenshot(name) {
  // WebKit captures the last painted frame: let two frames paint first so the picture shows
  // the state the assertions just saw.
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1];" +
      "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
  );
  const png = await driver.takeScreenshot();
  const path = join(process.env.E2E_ARTIFACTS, `${name}.png`);
  await writeFile(path, png, "base64");
  console.log(`screenshot: ${path}`);
}

async function heading() {
  const h1 = await driver.wait(until.elementLocated(By.css("main h1")), WAIT_MS);
  return h1.getText();
}

async function openScreen(label) {
  const link = await driver.wait(
    until.elementLocated(By.xpath(`//nav[@aria-label="Main"]//a[normalize-space()="${label}"]`)),
    WAIT_MS,
  );
  await link.click();
  await driver.wait(async () => (await heading()) === label, WAIT_MS, `screen ${label} did not open`);
}

test("the window opens titled Fleetward on the Connection screen", async () => {
  assert.equal(await driver.getTitle(), "Fleetward");
  await driver.wait(async () => (await heading()) === "Connection", WAIT_MS);
  await screenshot("connection");
});

test("Settings shows the engine's encryption, data folder and that updates are off", async () => {
  await openScreen("Settings");
  const body = await driver.wait(until.elementLocated(By.css("main")), WAIT_MS);
  await driver.wait(async () => (await body.getText()).includes("SQLCipher 4"), WAIT_MS);
  const text = await body.getText();
  assert.match(text, /Updates are off/);
  assert.ok(text.includes(process.env.FLEETWARD_DATA_DIR ?? "data"), "the data folder is shown");
  await screenshot("settings");
});

test("a screen that is not built yet says so", async () => {
  await openScreen("Incidents");
  const status = await driver.findElement(By.css("main [role=status]"));
  assert.match(await status.getText(), /Not yet available/);
});

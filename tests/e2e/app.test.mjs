// The real Fleetward binary, driven over WebDriver: the window opens with its title, the
// navigation moves between screens, Settings shows what the engine reports through IPC, and
// a screenshot is kept under target/e2e/ for a person to look at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { appSession, heading, openScreen, screenshot, WAIT_MS } from "./session.mjs";

const session = appSession();

test("the window opens titled Fleetward on the Connection screen", async () => {
  assert.equal(await session.driver.getTitle(), "Fleetward");
  await session.driver.wait(async () => (await heading(session.driver)) === "Connection", WAIT_MS);
  await screenshot(session.driver, "connection");
});

test("Settings shows the engine's encryption, data folder and that updates are off", async () => {
  await openScreen(session.driver, "Settings");
  const body = await session.driver.wait(until.elementLocated(By.css("main")), WAIT_MS);
  await session.driver.wait(async () => (await body.getText()).includes("SQLCipher 4"), WAIT_MS);
  const text = await body.getText();
  assert.match(text, /Updates are off/);
  assert.ok(text.includes(process.env.FLEETWARD_DATA_DIR ?? "data"), "the data folder is shown");
  await screenshot(session.driver, "settings");
});

test("Incidents and Compliance open on a fresh store and say what to do first", async () => {
  await openScreen(session.driver, "Incidents");
  const main = await session.driver.findElement(By.css("main"));
  await session.driver.wait(async () => (await main.getText()).includes("Poll now"), WAIT_MS);
  await openScreen(session.driver, "Compliance");
  await session.driver.wait(
    async () =>
      (await session.driver.findElement(By.css("main")).getText()).includes(
        "No company is a compliance tenant yet",
      ),
    WAIT_MS,
  );
});

// Compliance in the real app, against its built-in NinjaOne simulator. The test files share
// one data folder and run in name order, so this one starts where connect.test.mjs left off:
// the demo tenant saved and two of its organizations mapped to new companies. Promote one,
// run a sweep and see its five signal cards; a second sweep draws a trend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { appSession, openScreen, retryStale, screenshot, WAIT_MS } from "./session.mjs";

const session = appSession();

async function runSweepForAll(driver) {
  const button = await driver.wait(
    until.elementLocated(By.xpath(`//main//button[@aria-label="Run sweep now for all"]`)),
    WAIT_MS,
    "the Run sweep now button",
  );
  await driver.wait(until.elementIsEnabled(button), WAIT_MS, "no sweep is running");
  await button.click();
  const summary = await driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][contains(., "Sweep of 1 compliance tenant finished")]`)),
    WAIT_MS * 2,
    "the sweep's result appears",
  );
  return summary.getText();
}

test("a promoted company's sweep shows its five signal cards, and a second sweep its trend", async () => {
  const { driver } = session;
  await openScreen(driver, "Companies");
  const promote = await driver.wait(
    until.elementLocated(By.xpath(`//main//button[starts-with(@aria-label, "Promote to compliance tenant: ")]`)),
    WAIT_MS,
    "a mapped company to promote (connect.test.mjs maps two)",
  );
  const name = (await promote.getAttribute("aria-label")).replace("Promote to compliance tenant: ", "");
  await promote.click();
  await driver.wait(
    until.elementLocated(By.xpath(`//main//span[contains(@class, "badge")][normalize-space()="Compliance tenant"]`)),
    WAIT_MS,
    `${name} becomes a compliance tenant`,
  );

  await openScreen(driver, "Compliance");
  const first = await runSweepForAll(driver);
  assert.doesNotMatch(first, /failed/i);
  await retryStale(async () => {
    const show = await driver.wait(
      until.elementLocated(By.xpath(`//main//button[starts-with(@aria-label, "Show the signals of ")]`)),
      WAIT_MS,
    );
    await show.click();
  });
  const cards = await driver.wait(
    until.elementLocated(By.xpath(`//main//ul[starts-with(@aria-label, "Signals of ")]`)),
    WAIT_MS,
    "the company's signal cards",
  );
  const articles = await cards.findElements(By.css("article"));
  assert.equal(articles.length, 5, "five signal cards");
  const text = await cards.getText();
  for (const signal of ["Disk encryption", "Antivirus posture", "Patch SLA", "Backup activity", "Device inventory"]) {
    assert.ok(text.includes(signal), `a ${signal} card`);
  }
  // The trend chart loads on first use, so its placeholder may appear a moment after the cards.
  await driver.wait(
    until.elementLocated(
      By.xpath(`//main//ul[starts-with(@aria-label, "Signals of ")]//*[contains(., "A trend appears after the next sweep.")]`),
    ),
    WAIT_MS,
    "no trend after one sweep, and a note saying when one appears",
  );
  await screenshot(driver, "compliance-first-sweep");

  await runSweepForAll(driver);
  const trend = await driver.wait(
    until.elementLocated(By.xpath(`//main//ul[starts-with(@aria-label, "Signals of ")]//*[@role="img"][contains(@aria-label, " trend. ")]`)),
    WAIT_MS,
    "a trend after the second sweep",
  );
  assert.match(await trend.getAttribute("aria-label"), /over the last 2 sweeps/);
  assert.ok((await trend.findElements(By.css("svg path"))).length > 0, "the chart is drawn");
  await screenshot(driver, "compliance-trend");
});

// A newcomer's first steps in the real app, against its built-in NinjaOne simulator (demo
// mode): test the demo tenant, save it (Save stays disabled until the test passes), then map
// two organizations to new companies and find them on the Companies screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { appSession, openScreen, retryStale, screenshot, WAIT_MS } from "./session.mjs";

const session = appSession();

const byText = (tag, text) => By.xpath(`//${tag}[normalize-space()="${text}"]`);

async function button(name) {
  return session.driver.wait(until.elementLocated(byText("button", name)), WAIT_MS, `button "${name}"`);
}

test("the demo tenant is tested, then saved, and its organizations are discovered", async () => {
  await openScreen(session.driver, "Connection");
  await (await button("Use demo tenant")).click();
  const save = await button("Save");
  assert.equal(await save.isEnabled(), false, "Save is disabled before a passing test");

  await (await button("Test connection")).click();
  const passed = await session.driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][contains(., "organizations")]`)),
    WAIT_MS,
  );
  assert.match(await passed.getText(), /Connected to 127\.0\.0\.1:\d+: 8 organizations/);
  await session.driver.wait(until.elementIsEnabled(save), WAIT_MS, "Save enables after the test");

  await save.click();
  const saved = await session.driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][contains(., "Saved")]`)),
    WAIT_MS,
  );
  assert.match(await saved.getText(), /8 organizations found \(8 new\)/);
  await screenshot(session.driver, "connection-saved");
});

test("two organizations are mapped to new companies", async () => {
  await openScreen(session.driver, "Organizations");
  const createButtons = By.xpath(`//main//button[starts-with(@aria-label, "Create new company for ")]`);
  await session.driver.wait(until.elementLocated(createButtons), WAIT_MS);
  const mapped = [];
  for (let i = 0; i < 2; i++) {
    // The list re-renders as rows change; a button found a moment ago may be gone: look again.
    const label = await retryStale(async () => {
      const [first] = await session.driver.findElements(createButtons);
      const label = await first.getAttribute("aria-label");
      await first.click();
      return label;
    });
    const name = label.replace("Create new company for ", "");
    mapped.push(name.trim());
    await session.driver.wait(
      () =>
        retryStale(async () =>
          !(await session.driver.findElements(By.xpath(`//main//button[@aria-label=${JSON.stringify(label)}]`))).length,
        ),
      WAIT_MS,
      `${name} is mapped`,
    );
  }
  const badges = await session.driver.findElements(By.xpath(`//main//table//span[contains(@class, "badge")][normalize-space()="Mapped"]`));
  assert.equal(badges.length, 2, "two rows show Mapped");
  await screenshot(session.driver, "organizations-mapped");

  await openScreen(session.driver, "Companies");
  const table = await session.driver.wait(until.elementLocated(By.css("main table")), WAIT_MS);
  const text = await table.getText();
  for (const name of mapped) {
    assert.ok(text.includes(name), `company ${name} is listed`);
  }
  await screenshot(session.driver, "companies");
});

test("Sync With NinjaOne brings a company's devices in, and an asset opens", async () => {
  await openScreen(session.driver, "Companies");
  const link = await session.driver.wait(
    until.elementLocated(By.xpath(`//main//table//a[starts-with(@href, "#/companies/")]`)),
    WAIT_MS,
  );
  const company = (await link.getText()).trim();
  await link.click();
  await session.driver.wait(
    async () => (await session.driver.findElement(By.css("main h1")).getText().catch(() => "")) === company,
    WAIT_MS,
    "the company page opens",
  );
  await (await button("Sync With NinjaOne")).click();
  const result = await session.driver.wait(
    until.elementLocated(By.css("main .sync-outcome .result")),
    WAIT_MS * 2,
    "the sync's result appears",
  );
  assert.doesNotMatch(await result.getText(), /failed/i);
  const rows = By.css("main tr.asset-row");
  await session.driver.wait(until.elementLocated(rows), WAIT_MS, "the company's assets are listed");
  assert.ok((await session.driver.findElements(rows)).length > 0);
  await screenshot(session.driver, "company-synced");

  const [first] = await session.driver.findElements(rows);
  const cell = await first.findElement(By.css("th"));
  const name = (await cell.getText()).trim();
  // The asset list sits below the fold, in its own scroll box.
  await session.driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", cell);
  await cell.click();
  await session.driver.wait(
    async () => (await session.driver.findElement(By.css("main h1")).getText().catch(() => "")).includes(name),
    WAIT_MS,
    "the asset page opens",
  );
  await button("Open in NinjaOne");
  await screenshot(session.driver, "asset");
});

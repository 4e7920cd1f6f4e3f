// A newcomer's first steps in the real app, against its built-in NinjaOne simulator (demo
// mode): test the demo tenant, save it (Save stays disabled until the test passes), then map
// two organizations to new companies and find them on the Companies screen.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

const WAIT_MS = 30_000;
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
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1];" +
      "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
  );
  const path = join(process.env.E2E_ARTIFACTS, `${name}.png`);
  await writeFile(path, await driver.takeScreenshot(), "base64");
  console.log(`screenshot: ${path}`);
}

const byText = (tag, text) => By.xpath(`//${tag}[normalize-space()="${text}"]`);

async function button(name) {
  return driver.wait(until.elementLocated(byText("button", name)), WAIT_MS, `button "${name}"`);
}

async function openScreen(label) {
  const link = await driver.wait(
    until.elementLocated(By.xpath(`//nav[@aria-label="Main"]//a[normalize-space()="${label}"]`)),
    WAIT_MS,
  );
  await link.click();
  await driver.wait(until.elementLocated(By.xpath(`//main//h1[normalize-space()="${label}"]`)), WAIT_MS);
}

test("the demo tenant is tested, then saved, and its organizations are discovered", async () => {
  await openScreen("Connection");
  await (await button("Use demo tenant")).click();
  const save = await button("Save");
  assert.equal(await save.isEnabled(), false, "Save is disabled before a passing test");

  await (await button("Test connection")).click();
  const passed = await driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][contains(., "organizations")]`)),
    WAIT_MS,
  );
  assert.match(await passed.getText(), /Connected to 127\.0\.0\.1:\d+: 8 organizations/);
  await driver.wait(until.elementIsEnabled(save), WAIT_MS, "Save enables after the test");

  await save.click();
  const saved = await driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][contains(., "Saved")]`)),
    WAIT_MS,
  );
  assert.match(await saved.getText(), /8 organizations found \(8 new\)/);
  await screenshot("connection-saved");
});

test("two organizations are mapped to new companies", async () => {
  await openScreen("Organizations");
  const createButtons = By.xpath(`//main//button[starts-with(@aria-label, "Create new company for ")]`);
  await driver.wait(until.elementLocated(createButtons), WAIT_MS);
  const mapped = [];
  for (let i = 0; i < 2; i++) {
    const [first] = await driver.findElements(createButtons);
    const label = await first.getAttribute("aria-label");
    const name = label.replace("Create new company for ", "");
    mapped.push(name.trim());
    await first.click();
    await driver.wait(
      async () => !(await driver.findElements(By.xpath(`//main//button[@aria-label=${JSON.stringify(label)}]`))).length,
      WAIT_MS,
      `${name} is mapped`,
    );
  }
  const badges = await driver.findElements(By.xpath(`//main//table//span[contains(@class, "badge")][normalize-space()="Mapped"]`));
  assert.equal(badges.length, 2, "two rows show Mapped");
  await screenshot("organizations-mapped");

  await openScreen("Companies");
  const table = await driver.wait(until.elementLocated(By.css("main table")), WAIT_MS);
  const text = await table.getText();
  for (const name of mapped) {
    assert.ok(text.includes(name), `company ${name} is listed`);
  }
  await screenshot("companies");
});

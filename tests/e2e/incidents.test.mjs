// An alert's life in the real app, against its built-in NinjaOne simulator (demo mode, with
// the connection and mappings that connect.test.mjs left): NinjaOne sends TRIGGERED, a poll
// shows the incident open and turns the tray to "attention"; NinjaOne sends RESET, the next
// poll shows it resolved and the tray is back to "ok". The tray is out of WebDriver's reach,
// so its look is read through the app's `tray_state` command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { appSession, openScreen, retryStale, screenshot, WAIT_MS } from "./session.mjs";

const session = appSession();
const TITLE = "E2E: Disk C: is full";

/** Calls an app command from the page, as the UI does. */
async function invoke(command, args = {}) {
  const answer = await session.driver.executeAsyncScript(
    "const [command, args, done] = arguments;" +
      "window.__TAURI_INTERNALS__.invoke(command, args)" +
      ".then((value) => done({ value }), (error) => done({ error }));",
    command,
    args,
  );
  if (answer.error) throw new Error(`${command}: ${JSON.stringify(answer.error)}`);
  return answer.value;
}

/** An approved device of a mapped organization, and the demo simulator's address. */
async function mappedDevice() {
  const [connection] = (await invoke("connections")).filter((c) => c.active);
  assert.ok(connection, "connect.test.mjs saved the demo tenant");
  const orgs = await invoke("organizations", { connectionId: connection.id });
  const mapped = new Set(orgs.filter((o) => o.state === "mapped").map((o) => o.orgId));
  assert.ok(mapped.size > 0, "connect.test.mjs mapped organizations");
  const devices = await (await fetch(`${connection.baseUrl}/_sim/devices`)).json();
  const device = devices.find((d) => mapped.has(d.organizationId) && d.approvalStatus === "APPROVED");
  assert.ok(device, "a mapped organization has an approved device");
  return { sim: connection.baseUrl, deviceId: device.id };
}

async function sendActivity(sim, deviceId, statusCode) {
  const answer = await fetch(`${sim}/_sim/activities`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      deviceId,
      seriesUid: "e2e-series-1",
      activityType: "CONDITION",
      statusCode,
      severity: "CRITICAL",
      priority: "HIGH",
      sourceName: "Disk space",
      sourceConfigUid: "e2e-cfg-disk",
      message: TITLE,
    }),
  });
  assert.ok(answer.ok, `the simulator took the ${statusCode}`);
}

async function pollNow() {
  const button = await session.driver.wait(
    until.elementLocated(By.xpath(`//main//button[normalize-space()="Poll now"]`)),
    WAIT_MS,
  );
  await button.click();
  await session.driver.wait(
    until.elementLocated(By.xpath(`//main//*[@role="status"][starts-with(normalize-space(), "Poll finished")]`)),
    WAIT_MS,
    "the poll finishes",
  );
}

async function showStatus(value) {
  const select = await session.driver.findElement(By.xpath(`//main//label[normalize-space()="Status"]/following-sibling::select`));
  await select.findElement(By.css(`option[value="${value}"]`)).click();
}

/** The status cell's text of the E2E incident's row, once the row shows `expected`. */
async function rowStatus(expected) {
  const row = By.xpath(`//main//table//tr[th[contains(., ${JSON.stringify(TITLE)})]]`);
  return session.driver.wait(
    () =>
      retryStale(async () => {
        const rows = await session.driver.findElements(row);
        if (rows.length === 0) return false;
        const text = await rows[0].getText();
        return text.includes(expected) ? text : false;
      }),
    WAIT_MS,
    `the incident shows ${expected}`,
  );
}

async function trayBecomes(state) {
  await session.driver.wait(async () => (await invoke("tray_state")) === state, WAIT_MS, `the tray shows ${state}`);
}

test("a TRIGGERED opens an incident and the tray asks for attention; its RESET resolves it", async () => {
  await openScreen(session.driver, "Incidents");
  // The first poll seeds the tenant's active alerts; resolve them so that only this
  // test's incident decides the tray's look.
  await pollNow();
  const resolveButtons = By.xpath(`//main//button[starts-with(@aria-label, "Resolve ")]`);
  const resolveLeft = () => retryStale(async () => (await session.driver.findElements(resolveButtons)).length);
  for (let left = await resolveLeft(); left > 0; left = await resolveLeft()) {
    await retryStale(async () => (await session.driver.findElements(resolveButtons))[0]?.click());
    await session.driver.wait(async () => (await resolveLeft()) < left, WAIT_MS, "the incident leaves the open list");
  }
  await trayBecomes("ok");

  const { sim, deviceId } = await mappedDevice();
  await sendActivity(sim, deviceId, "TRIGGERED");
  await pollNow();
  const open = await rowStatus("Open");
  assert.match(open, /Critical/);
  await trayBecomes("attention");
  await screenshot(session.driver, "incident-open");

  await sendActivity(sim, deviceId, "RESET");
  await pollNow();
  await showStatus("all");
  const resolved = await rowStatus("Resolved");
  assert.match(resolved, /NinjaOne reset the condition/);
  await trayBecomes("ok");
  await screenshot(session.driver, "incident-resolved");
});

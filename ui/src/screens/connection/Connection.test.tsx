import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { ConnectionTest } from "../../bindings/ConnectionTest";
import type { ErrorKind } from "../../bindings/ErrorKind";
import type { SavedConnection } from "../../bindings/SavedConnection";
import { connectionTestWith, connectionWith, discoveryWith, setupWith } from "../../test/fixtures";
import {
  deferred,
  emitEngine,
  mockEngine,
  rejectWith,
  startAt,
  type IpcCall,
} from "../../test/engine";

type Handlers = Parameters<typeof mockEngine>[0];

async function openConnection(handlers: Handlers = {}) {
  const calls = mockEngine({ connection_setup: () => setupWith(), ...handlers });
  startAt("/connection");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Connection" });
  await screen.findByRole("combobox", { name: "Region" });
  return calls;
}

function field(name: string): HTMLElement {
  return screen.getByLabelText(name);
}

function saveButton(): HTMLElement {
  return screen.getByRole("button", { name: "Save" });
}

async function fillCredentials(user: ReturnType<typeof userEvent.setup>) {
  await user.type(field("Client ID"), "client-abc");
  await user.type(field("Client Secret"), "s3cret");
}

function drafts(calls: IpcCall[], cmd: string): unknown[] {
  return calls.filter((call) => call.cmd === cmd).map((call) => call.args.draft);
}

describe("Connection form", () => {
  it("lists each region as label — host, then a custom base URL option", async () => {
    await openConnection();

    const options = within(field("Region")).getAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual([
      "US — app.ninjarmm.com",
      "EU — eu.ninjarmm.com",
      "Oceania — oc.ninjarmm.com",
      "Custom base URL",
    ]);
    expect(screen.queryByLabelText("Base URL")).not.toBeInTheDocument();
    expect(field("Client Secret")).toHaveAttribute("type", "password");
    expect(field("Client Secret")).toHaveAttribute("autocomplete", "off");
  });

  it("keeps Save disabled until a test passes, and disables it again after any edit", async () => {
    const user = userEvent.setup();
    await openConnection({ test_connection: () => connectionTestWith() });

    expect(saveButton()).toBeDisabled();
    await fillCredentials(user);
    expect(saveButton()).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByText("Connected to app.ninjarmm.com: 12 organizations.");
    expect(saveButton()).toBeEnabled();

    await user.type(field("Client ID"), "x");
    expect(saveButton()).toBeDisabled();
    expect(screen.getByText("The form changed since the test. Test again to save.")).toBeVisible();

    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByText("Connected to app.ninjarmm.com: 12 organizations.");
    expect(saveButton()).toBeEnabled();

    await user.selectOptions(field("Region"), "eu");
    expect(saveButton()).toBeDisabled();
  });

  it("keeps Save disabled after a failed test", async () => {
    const user = userEvent.setup();
    await openConnection({
      test_connection: () => rejectWith({ kind: "authentication", message: "Wrong secret." }),
    });
    await fillCredentials(user);

    await user.click(screen.getByRole("button", { name: "Test connection" }));

    await screen.findByRole("alert");
    expect(saveButton()).toBeDisabled();
  });

  it("shows Testing… while the test runs, then the org count, granted scopes and least-privilege warnings", async () => {
    const user = userEvent.setup();
    const answer = deferred<ConnectionTest>();
    await openConnection({ test_connection: () => answer.promise });
    await fillCredentials(user);

    await user.click(screen.getByRole("button", { name: "Test connection" }));

    const busy = screen.getByRole("button", { name: "Testing…" });
    expect(busy).toBeDisabled();
    expect(busy).toHaveAttribute("aria-busy", "true");

    answer.resolve(
      connectionTestWith({
        host: "eu.ninjarmm.com",
        organizations: 42,
        grantedScopes: ["monitoring", "management"],
        warnings: ["The API client has the management scope; Fleetward needs monitoring only."],
      }),
    );

    const result = await screen.findByRole("status");
    expect(result).toHaveTextContent("Connected to eu.ninjarmm.com: 42 organizations.");
    expect(within(result).getByText("monitoring")).toBeVisible();
    expect(within(result).getByText("management")).toBeVisible();
    const warning = within(result).getByRole("listitem");
    expect(warning).toHaveTextContent(
      "Warning: The API client has the management scope; Fleetward needs monitoring only.",
    );
    expect(screen.getByRole("button", { name: "Test connection" })).toBeEnabled();
  });

  it.each<[ErrorKind, string]>([
    ["authentication", "NinjaOne refused the credentials"],
    ["unreachable", "NinjaOne could not be reached"],
    ["throttled", "NinjaOne is throttling requests"],
    ["invalidInput", "Check the form"],
    ["unavailable", "Not available in this build"],
    ["internal", "The test failed"],
  ])(
    "shows a %s test failure with the headline %j and the engine's message",
    async (kind, headline) => {
      const user = userEvent.setup();
      const message = `The ${kind} message names cause and fix.`;
      await openConnection({ test_connection: () => rejectWith({ kind, message }) });
      await fillCredentials(user);

      await user.click(screen.getByRole("button", { name: "Test connection" }));

      const alert = await screen.findByRole("alert");
      expect(alert).toHaveTextContent(headline);
      expect(alert).toHaveTextContent(message);
    },
  );

  it("sends the chosen region's code and no base URL", async () => {
    const user = userEvent.setup();
    const calls = await openConnection({ test_connection: () => connectionTestWith() });

    await user.selectOptions(field("Region"), "EU — eu.ninjarmm.com");
    await fillCredentials(user);
    await user.type(field("Name (optional)"), "Contoso EU");
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByRole("status");

    expect(drafts(calls, "test_connection")).toEqual([
      { region: "eu", clientId: "client-abc", clientSecret: "s3cret", name: "Contoso EU" },
    ]);
  });

  it("reveals Base URL for the custom option and sends baseUrl instead of region", async () => {
    const user = userEvent.setup();
    const calls = await openConnection({ test_connection: () => connectionTestWith() });

    await user.selectOptions(field("Region"), "Custom base URL");
    const baseUrl = field("Base URL");
    expect(baseUrl).toBeVisible();
    expect(baseUrl).toHaveAccessibleDescription(
      "Use https://. Plain http:// works only for 127.0.0.1 and localhost.",
    );

    await user.type(baseUrl, "https://rmm.example.com");
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByRole("status");

    expect(drafts(calls, "test_connection")).toEqual([
      { baseUrl: "https://rmm.example.com", clientId: "client-abc", clientSecret: "s3cret" },
    ]);
  });
});

describe("Saving a connection", () => {
  const SAVED: SavedConnection = {
    connection: connectionWith({ id: 7, name: "Contoso MSP" }),
    test: connectionTestWith(),
    discovery: discoveryWith({ organizations: 12, newOrganizations: 3 }),
  };

  async function testThenSave(user: ReturnType<typeof userEvent.setup>) {
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByText("Connected to app.ninjarmm.com: 12 organizations.");
    await user.click(saveButton());
  }

  it("shows Saving…, then the discovery counts, clears the secret and lists the connection", async () => {
    const user = userEvent.setup();
    const answer = deferred<SavedConnection>();
    const calls = await openConnection({
      test_connection: () => connectionTestWith(),
      save_connection: () => answer.promise,
      connections: () => [SAVED.connection],
    });

    await testThenSave(user);
    const busy = screen.getByRole("button", { name: "Saving…" });
    expect(busy).toBeDisabled();
    expect(busy).toHaveAttribute("aria-busy", "true");

    answer.resolve(SAVED);

    expect(
      await screen.findByText("Saved Contoso MSP. 12 organizations found (3 new)."),
    ).toBeVisible();
    expect(field("Client Secret")).toHaveValue("");
    expect(saveButton()).toBeDisabled();
    expect(drafts(calls, "save_connection")).toEqual([
      { region: "us", clientId: "client-abc", clientSecret: "s3cret" },
    ]);

    const saved = screen.getByRole("region", { name: "Saved connections" });
    expect(within(saved).getByRole("heading", { name: "Contoso MSP" })).toBeVisible();
    expect(within(saved).getByText("Active")).toBeVisible();
    expect(within(saved).queryByText(/No connection yet/)).not.toBeInTheDocument();
  });

  it("offers Review organizations after saving, which opens Organizations", async () => {
    const user = userEvent.setup();
    await openConnection({
      test_connection: () => connectionTestWith(),
      save_connection: () => SAVED,
      connections: () => [SAVED.connection],
      organizations: () => [],
      companies: () => [],
    });
    await testThenSave(user);

    await user.click(await screen.findByRole("link", { name: "Review organizations" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Organizations" })).toBeVisible();
  });

  it("shows a save failure with its headline and message and keeps the secret for a retry", async () => {
    const user = userEvent.setup();
    await openConnection({
      test_connection: () => connectionTestWith(),
      save_connection: () =>
        rejectWith({
          kind: "unreachable",
          message: "app.ninjarmm.com did not answer. Check your network, then try again.",
        }),
      connections: () => [],
    });

    await testThenSave(user);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("NinjaOne could not be reached");
    expect(alert).toHaveTextContent(
      "app.ninjarmm.com did not answer. Check your network, then try again.",
    );
    expect(field("Client Secret")).toHaveValue("s3cret");
  });
});

describe("Waiting on NinjaOne", () => {
  const WAIT = "NinjaOne asked to wait 30 s before answering /v2/organizations (attempt 2 of 6)";

  it("shows why a connection test is waiting while it runs, and nothing once it is done", async () => {
    const user = userEvent.setup();
    const answer = deferred<ConnectionTest>();
    await openConnection({ test_connection: () => answer.promise });
    await fillCredentials(user);

    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(screen.queryByRole("status")).not.toBeInTheDocument();

    await emitEngine({ type: "waiting", message: WAIT });

    expect(screen.getByRole("status")).toHaveTextContent(WAIT);
    expect(screen.getByRole("button", { name: "Testing…" })).toBeDisabled();

    answer.resolve(connectionTestWith());

    expect(
      await screen.findByText("Connected to app.ninjarmm.com: 12 organizations."),
    ).toBeVisible();
    expect(screen.queryByText(WAIT)).not.toBeInTheDocument();
  });

  it("shows why Save is waiting, and forgets a wait from the earlier test", async () => {
    const user = userEvent.setup();
    const tested = deferred<ConnectionTest>();
    const saved = deferred<SavedConnection>();
    await openConnection({
      test_connection: () => tested.promise,
      save_connection: () => saved.promise,
      connections: () => [],
    });
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await emitEngine({ type: "waiting", message: "An earlier wait." });
    tested.resolve(connectionTestWith());
    await screen.findByText("Connected to app.ninjarmm.com: 12 organizations.");

    await user.click(saveButton());
    expect(screen.queryByText("An earlier wait.")).not.toBeInTheDocument();

    await emitEngine({ type: "waiting", message: WAIT });

    // The passed test's result stays on screen beside the wait.
    expect(screen.getAllByRole("status").map((status) => status.textContent)).toContain(WAIT);
    expect(screen.getByRole("button", { name: "Saving…" })).toBeDisabled();
  });
});

describe("Demo mode", () => {
  const DEMO = {
    name: "Demo tenant",
    baseUrl: "http://127.0.0.1:47123",
    clientId: "demo-client",
    clientSecret: "demo-secret",
  };

  it("fills the form with the simulator's tenant from the demo callout", async () => {
    const user = userEvent.setup();
    const calls = await openConnection({
      connection_setup: () => setupWith({ demo: DEMO }),
      test_connection: () => connectionTestWith({ host: "127.0.0.1" }),
    });

    expect(screen.getByText("Demo mode: a built-in NinjaOne simulator is running.")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Use demo tenant" }));

    expect(field("Region")).toHaveValue("__custom__");
    expect(field("Base URL")).toHaveValue(DEMO.baseUrl);
    expect(field("Client ID")).toHaveValue(DEMO.clientId);
    expect(field("Client Secret")).toHaveValue(DEMO.clientSecret);
    expect(field("Name (optional)")).toHaveValue(DEMO.name);

    await user.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByRole("status");
    expect(drafts(calls, "test_connection")).toEqual([
      {
        baseUrl: DEMO.baseUrl,
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        name: DEMO.name,
      },
    ]);
  });

  it("shows no demo callout outside demo mode", async () => {
    await openConnection();
    expect(screen.queryByText(/Demo mode/)).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Use demo tenant" })).not.toBeInTheDocument();
  });
});

describe("Saved connections", () => {
  it("says how to start when there is no connection yet", async () => {
    await openConnection();
    expect(
      screen.getByText(
        "No connection yet. Choose your region, paste your API client ID and secret, test, then save.",
      ),
    ).toBeVisible();
  });

  it("shows each connection's base URL, client id, scopes, status and last test", async () => {
    await openConnection({
      connection_setup: () =>
        setupWith({
          connections: [
            connectionWith({ id: 1, name: "Contoso MSP", grantedScopes: ["monitoring"] }),
            connectionWith({
              id: 2,
              name: "Old tenant",
              baseUrl: "https://eu.ninjarmm.com",
              clientId: "old-client",
              active: false,
              testedAt: null,
              disconnectedAt: "2025-11-21T10:00:00Z",
            }),
          ],
        }),
    });

    const saved = screen.getByRole("region", { name: "Saved connections" });
    const active = within(saved).getByRole("listitem", { name: "Contoso MSP" });
    const old = within(saved).getByRole("listitem", { name: "Old tenant" });
    expect(active).toHaveTextContent("Contoso MSP");
    expect(active).toHaveTextContent("https://app.ninjarmm.com");
    expect(active).toHaveTextContent("client-abc");
    expect(active).toHaveTextContent("monitoring");
    expect(active).toHaveTextContent("Active");
    expect(within(active).getByRole("button", { name: "Disconnect Contoso MSP" })).toBeVisible();

    expect(old).toHaveTextContent("https://eu.ninjarmm.com");
    expect(old).toHaveTextContent("Disconnected");
    expect(old).toHaveTextContent("Never");
    expect(within(old).getByText("Disconnected on")).toBeVisible();
    expect(within(active).queryByText("Disconnected on")).not.toBeInTheDocument();
    expect(within(old).queryByRole("button")).not.toBeInTheDocument();
  });

  it("asks before disconnecting, keeps the connection on Cancel and disconnects on Confirm", async () => {
    const user = userEvent.setup();
    const connection = connectionWith({ id: 3, name: "Contoso MSP" });
    const calls = await openConnection({
      connection_setup: () => setupWith({ connections: [connection] }),
      disconnect: () => ({ ...connection, active: false }),
    });

    await user.click(screen.getByRole("button", { name: "Disconnect Contoso MSP" }));
    const confirm = screen.getByRole("group", { name: "Confirm disconnecting Contoso MSP" });
    expect(confirm).toHaveTextContent(
      "Disconnect Contoso MSP? The stored secret is deleted and its assets are retired; mappings are kept.",
    );
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(calls.some((call) => call.cmd === "disconnect")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Disconnect Contoso MSP" }));
    await user.click(screen.getByRole("button", { name: "Confirm" }));

    expect(await screen.findByText("Disconnected")).toBeVisible();
    expect(calls.filter((call) => call.cmd === "disconnect")).toEqual([
      { cmd: "disconnect", args: { connectionId: 3 } },
    ]);
    expect(
      screen.queryByRole("button", { name: "Disconnect Contoso MSP" }),
    ).not.toBeInTheDocument();
  });

  it("shows the engine's message when disconnecting fails", async () => {
    const user = userEvent.setup();
    await openConnection({
      connection_setup: () => setupWith({ connections: [connectionWith()] }),
      disconnect: () =>
        rejectWith({ kind: "store", message: "The keychain entry could not be deleted." }),
    });

    await user.click(screen.getByRole("button", { name: "Disconnect Contoso MSP" }));
    await user.click(screen.getByRole("button", { name: "Confirm" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The keychain entry could not be deleted.",
    );
    expect(screen.getByText("Active")).toBeVisible();
  });
});

describe("Connection loading", () => {
  it("shows the engine's message and loads again on Try again", async () => {
    const user = userEvent.setup();
    let fail = true;
    mockEngine({
      connection_setup: () =>
        fail ? rejectWith({ kind: "store", message: "The store is locked." }) : setupWith(),
    });
    startAt("/connection");
    render(<App />);

    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("combobox", { name: "Region" })).toBeVisible();
  });
});

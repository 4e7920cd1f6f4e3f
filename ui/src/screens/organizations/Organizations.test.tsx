import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { MappingChoice } from "../../bindings/MappingChoice";
import type { OrganizationRow } from "../../bindings/OrganizationRow";
import { companyWith, connectionWith, discoveryWith, orgRow } from "../../test/fixtures";
import { deferred, emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";

type Handlers = Parameters<typeof mockEngine>[0];

const ACME = orgRow({
  orgId: 101,
  name: "Acme Ltd",
  state: "pending",
  deviceCount: 14,
  suggestedCompanyId: 1,
  suggestedCompanyName: "Acme",
  canAcceptSuggestion: true,
});
const GLOBEX = orgRow({
  orgId: 102,
  name: "Globex",
  state: "mapped",
  companyId: 2,
  companyName: "Globex Corporation",
  deviceCount: 30,
});
const INITECH = orgRow({ orgId: 103, name: "Initech", state: "ignored", deviceCount: null });
const UMBRELLA = orgRow({
  orgId: 104,
  name: "Umbrella",
  state: "pending",
  gone: true,
  canMap: false,
});

const COMPANIES = [
  companyWith({ id: 1, name: "Acme" }),
  companyWith({ id: 2, name: "Globex Corporation" }),
];

async function openOrganizations(
  handlers: Handlers = {},
  rows = [ACME, GLOBEX, INITECH, UMBRELLA],
) {
  const calls = mockEngine({
    connections: () => [connectionWith({ id: 1 })],
    organizations: () => rows,
    companies: () => COMPANIES,
    ...handlers,
  });
  startAt("/organizations");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Organizations" });
  return calls;
}

async function table() {
  return screen.findByRole("table", { name: "Organizations" });
}

function rowOf(name: string): HTMLElement {
  return screen.getByRole("rowheader", { name: new RegExp(`^${name}`) }).closest("tr")!;
}

function shownNames(): string[] {
  return screen
    .queryAllByRole("rowheader")
    .map((header) => (header.textContent ?? "").replace("Gone from NinjaOne", ""));
}

const ALL_GROUPS = [
  "processor",
  "memory",
  "volumes",
  "network",
  "location",
  "organization",
  "policy",
  "owner",
  "maintenance",
  "warranty",
  "health",
];

function mapCalls(calls: { cmd: string; args: Record<string, unknown> }[]) {
  return calls.filter((call) => call.cmd === "map_organization").map((call) => call.args);
}

describe("Organizations without a connection", () => {
  it("asks to connect first and links to Connection", async () => {
    const user = userEvent.setup();
    await openOrganizations({
      connections: () => [connectionWith({ active: false })],
      connection_setup: () => ({ regions: [], connections: [], demo: null }),
    });

    expect(await screen.findByText("Connect to NinjaOne first.")).toBeVisible();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();

    await user.click(screen.getByRole("link", { name: "Open Connection" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
  });
});

describe("Organizations table", () => {
  it("shows name, devices, state and company, a suggestion for pending rows and a gone badge", async () => {
    await openOrganizations();
    await table();

    const acme = rowOf("Acme Ltd");
    expect(acme).toHaveTextContent("14");
    expect(acme).toHaveTextContent("Pending review");
    expect(acme).toHaveTextContent("Suggested: Acme");

    const globex = rowOf("Globex");
    expect(globex).toHaveTextContent("Mapped");
    expect(globex).toHaveTextContent("Globex Corporation");

    expect(rowOf("Initech")).toHaveTextContent("Ignored");
    expect(within(rowOf("Umbrella")).getByText("Gone from NinjaOne")).toBeVisible();
    expect(within(rowOf("Acme Ltd")).queryByText("Gone from NinjaOne")).not.toBeInTheDocument();
  });

  it("narrows the rows with the state filter, which shows counts, and with the search box", async () => {
    const user = userEvent.setup();
    await openOrganizations();
    await table();

    const show = screen.getByRole("combobox", { name: "Show" });
    expect(
      within(show)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["All (4)", "Pending review (2)", "Mapped (1)", "Ignored (1)"]);

    await user.selectOptions(show, "Pending review (2)");
    expect(shownNames()).toEqual(["Acme Ltd", "Umbrella"]);

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "ACME");
    expect(shownNames()).toEqual(["Acme Ltd"]);

    await user.selectOptions(show, "Mapped (1)");
    expect(shownNames()).toEqual([]);
    expect(screen.getByText("No organizations match.")).toBeVisible();

    await user.selectOptions(show, "All (4)");
    await user.clear(screen.getByRole("searchbox", { name: "Search" }));
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "in");
    expect(shownNames()).toEqual(["Initech"]);
  });

  it("says when the connection has no organizations yet", async () => {
    await openOrganizations({}, []);
    expect(
      await screen.findByText(
        "No organizations yet. Use Discover again to list them from NinjaOne.",
      ),
    ).toBeVisible();
  });

  it("shows the engine's message when the organizations cannot be loaded", async () => {
    await openOrganizations({
      organizations: () =>
        rejectWith({ kind: "notFound", message: "Connection 1 does not exist." }),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("Connection 1 does not exist.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeVisible();
  });
});

describe("Mapping one organization", () => {
  function answerWith(change: (row: OrganizationRow, choice: MappingChoice) => OrganizationRow) {
    return (args: Record<string, unknown>) => {
      const row = [ACME, GLOBEX, INITECH, UMBRELLA].find((r) => r.orgId === args.orgId)!;
      return change(row, args.choice as MappingChoice);
    };
  }

  it("Create new calls map_organization with createNew and shows the returned row", async () => {
    const user = userEvent.setup();
    const answer = deferred<OrganizationRow>();
    const calls = await openOrganizations({ map_organization: () => answer.promise });
    await table();

    const create = screen.getByRole("button", { name: "Create new company for Acme Ltd" });
    await user.click(create);
    expect(create).toBeDisabled();
    expect(create).toHaveTextContent("Creating…");
    expect(rowOf("Acme Ltd")).toHaveAttribute("aria-busy", "true");

    answer.resolve({
      ...ACME,
      state: "mapped",
      companyId: 9,
      companyName: "Acme Ltd",
      canAcceptSuggestion: false,
    });

    expect(await within(rowOf("Acme Ltd")).findByText("Mapped")).toBeVisible();
    expect(rowOf("Acme Ltd")).toHaveTextContent("Acme Ltd");
    expect(mapCalls(calls)).toEqual([
      { connectionId: 1, orgId: 101, choice: { action: "createNew" }, options: null },
    ]);
    // A company may have been created: the choice list is loaded again.
    expect(calls.filter((call) => call.cmd === "companies")).toHaveLength(2);
  });

  it("Don't sync calls map_organization with ignore and shows the row as ignored", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({
      map_organization: answerWith((row) => ({
        ...row,
        state: "ignored",
        companyId: null,
        companyName: null,
      })),
    });
    await table();

    await user.click(screen.getByRole("button", { name: "Don't sync Globex" }));

    expect(await within(rowOf("Globex")).findByText("Ignored")).toBeVisible();
    expect(mapCalls(calls)).toEqual([
      { connectionId: 1, orgId: 102, choice: { action: "ignore" }, options: null },
    ]);
  });

  it("Use existing maps to the company chosen in the inline list", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({
      map_organization: answerWith((row, choice) => ({
        ...row,
        state: "mapped",
        companyId: choice.action === "useExisting" ? choice.companyId : null,
        companyName: "Globex Corporation",
      })),
    });
    await table();

    await user.click(screen.getByRole("button", { name: "Use existing company for Initech" }));
    const map = screen.getByRole("button", { name: "Map Initech" });
    expect(map).toBeDisabled();

    await user.selectOptions(
      screen.getByRole("combobox", { name: "Company for Initech" }),
      "Globex Corporation",
    );
    await user.click(map);

    expect(await within(rowOf("Initech")).findByText("Mapped")).toBeVisible();
    expect(rowOf("Initech")).toHaveTextContent("Globex Corporation");
    expect(screen.queryByRole("combobox", { name: "Company for Initech" })).not.toBeInTheDocument();
    expect(mapCalls(calls)).toEqual([
      {
        connectionId: 1,
        orgId: 103,
        choice: { action: "useExisting", companyId: 2 },
        options: null,
      },
    ]);
  });

  it("Accept suggestion maps a pending row to the suggested company", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({
      map_organization: answerWith((row) => ({
        ...row,
        state: "mapped",
        companyId: 1,
        companyName: "Acme",
        canAcceptSuggestion: false,
      })),
    });
    await table();
    expect(
      screen.queryByRole("button", { name: "Accept suggestion for Umbrella" }),
    ).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Accept suggestion for Acme Ltd" }));

    expect(await within(rowOf("Acme Ltd")).findByText("Mapped")).toBeVisible();
    expect(mapCalls(calls)).toEqual([
      {
        connectionId: 1,
        orgId: 101,
        choice: { action: "useExisting", companyId: 1 },
        options: null,
      },
    ]);
  });

  it("offers changing a mapped row (Use existing, Don't sync) but not Create new", async () => {
    await openOrganizations();
    await table();
    const globex = rowOf("Globex");
    expect(
      within(globex).getByRole("button", { name: "Use existing company for Globex" }),
    ).toBeVisible();
    expect(within(globex).getByRole("button", { name: "Don't sync Globex" })).toBeVisible();
    expect(
      within(globex).queryByRole("button", { name: "Create new company for Globex" }),
    ).not.toBeInTheDocument();
  });

  it("shows the engine's message in the row when mapping fails", async () => {
    const user = userEvent.setup();
    await openOrganizations({
      map_organization: () =>
        rejectWith({
          kind: "alreadyRunning",
          message: "Acme Ltd is being synced. Try again shortly.",
        }),
    });
    await table();

    await user.click(screen.getByRole("button", { name: "Don't sync Acme Ltd" }));

    expect(await within(rowOf("Acme Ltd")).findByRole("alert")).toHaveTextContent(
      "Acme Ltd is being synced. Try again shortly.",
    );
    expect(rowOf("Acme Ltd")).toHaveTextContent("Pending review");
    expect(screen.getByRole("button", { name: "Don't sync Acme Ltd" })).toBeEnabled();
  });
});

describe("Mapping options", () => {
  it("saves options of a mapped row with its current company", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({
      map_organization: () => ({ ...GLOBEX, includeNonAgent: true, locationIds: [12, 40] }),
    });
    await table();

    const toggle = screen.getByRole("button", { name: "Options for Globex" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");

    const options = screen.getByRole("group", { name: "Options for Globex" });
    await user.click(
      within(options).getByRole("checkbox", { name: "Include network & non-agent devices" }),
    );
    await user.type(within(options).getByRole("textbox", { name: "Limit to locations" }), "12, 40");
    await user.click(within(options).getByRole("button", { name: "Save options for Globex" }));

    await within(options).findByRole("button", { name: "Save options for Globex" });
    expect(mapCalls(calls)).toEqual([
      {
        connectionId: 1,
        orgId: 102,
        choice: { action: "useExisting", companyId: 2 },
        options: {
          includeNonAgent: true,
          locationIds: [12, 40],
          dropFieldGroups: [],
          keepFieldGroups: ALL_GROUPS,
          customFields: [],
          syncSoftware: false,
        },
      },
    ]);
  });

  it("keeps options of an ignored row ignored", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({ map_organization: () => INITECH });
    await table();

    await user.click(screen.getByRole("button", { name: "Options for Initech" }));
    await user.click(screen.getByRole("button", { name: "Save options for Initech" }));

    expect(mapCalls(calls)).toEqual([
      {
        connectionId: 1,
        orgId: 103,
        choice: { action: "ignore" },
        options: {
          includeNonAgent: false,
          locationIds: [],
          dropFieldGroups: [],
          keepFieldGroups: ALL_GROUPS,
          customFields: [],
          syncSoftware: false,
        },
      },
    ]);
  });

  it("disables options of a pending row with a hint to map it first", async () => {
    const user = userEvent.setup();
    await openOrganizations();
    await table();

    await user.click(screen.getByRole("button", { name: "Options for Acme Ltd" }));

    const options = screen.getByRole("group", { name: "Options for Acme Ltd" });
    for (const checkbox of within(options).getAllByRole("checkbox")) {
      expect(checkbox).toBeDisabled();
    }
    expect(
      within(options).getByRole("button", { name: "Load custom fields of Acme Ltd from NinjaOne" }),
    ).toBeDisabled();
    expect(
      within(options).getByRole("textbox", { name: "Limit to locations" }),
    ).toHaveAccessibleDescription("Map this organization first: options apply once it is mapped.");
    expect(
      within(options).getByRole("button", { name: "Save options for Acme Ltd" }),
    ).toBeDisabled();
  });

  it("says what is wrong with location ids that are not numbers, without calling the engine", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations();
    await table();

    await user.click(screen.getByRole("button", { name: "Options for Globex" }));
    await user.type(screen.getByRole("textbox", { name: "Limit to locations" }), "12, main office");
    await user.click(screen.getByRole("button", { name: "Save options for Globex" }));

    expect(screen.getByRole("alert")).toHaveTextContent(
      "Limit to locations takes NinjaOne location ids separated by commas",
    );
    expect(mapCalls(calls)).toEqual([]);
  });
});

describe("Fields a mapping keeps", () => {
  async function openGlobexOptions(handlers: Handlers = {}, row = GLOBEX) {
    const user = userEvent.setup();
    const calls = await openOrganizations({ map_organization: () => row, ...handlers }, [
      ACME,
      row,
      INITECH,
      UMBRELLA,
    ]);
    await table();
    await user.click(screen.getByRole("button", { name: "Options for Globex" }));
    const options = screen.getByRole("group", { name: "Options for Globex" });
    return { user, calls, options };
  }

  it("saves the groups left out, software and custom fields picked from a live sample", async () => {
    const { user, calls, options } = await openGlobexOptions({
      custom_field_names: () => ["assetTag", "costCenter", "patchRing"],
    });
    const groups = within(options).getByRole("group", { name: "Fields to keep" });
    expect(groups).toHaveAccessibleDescription(
      "Identity, operating system, hardware and lifecycle are always kept.",
    );
    for (const checkbox of within(groups).getAllByRole("checkbox")) {
      expect(checkbox).toBeChecked();
    }
    await user.click(within(groups).getByRole("checkbox", { name: "Memory" }));
    await user.click(within(groups).getByRole("checkbox", { name: "Health & patches" }));
    await user.click(within(options).getByRole("checkbox", { name: "Installed software" }));

    const custom = within(options).getByRole("group", { name: "Custom fields" });
    expect(within(custom).queryAllByRole("checkbox")).toEqual([]);
    await user.click(
      within(custom).getByRole("button", { name: "Load custom fields of Globex from NinjaOne" }),
    );
    await user.click(await within(custom).findByRole("checkbox", { name: "patchRing" }));
    await user.click(within(custom).getByRole("checkbox", { name: "assetTag" }));
    expect(within(custom).getByRole("checkbox", { name: "costCenter" })).not.toBeChecked();
    await user.click(within(options).getByRole("button", { name: "Save options for Globex" }));

    await within(options).findByRole("button", { name: "Save options for Globex" });
    expect(calls.filter((c) => c.cmd === "custom_field_names").map((c) => c.args)).toEqual([
      { connectionId: 1, orgId: 102 },
    ]);
    expect(mapCalls(calls)).toEqual([
      {
        connectionId: 1,
        orgId: 102,
        choice: { action: "useExisting", companyId: 2 },
        options: {
          includeNonAgent: false,
          locationIds: [],
          dropFieldGroups: ["memory", "health"],
          keepFieldGroups: ALL_GROUPS.filter((g) => g !== "memory" && g !== "health"),
          customFields: ["assetTag", "patchRing"],
          syncSoftware: true,
        },
      },
    ]);
  });

  it("shows what a mapping keeps today, chosen custom fields included before any load", async () => {
    const kept = {
      ...GLOBEX,
      droppedFieldGroups: ["warranty" as const],
      customFields: ["patchRing"],
      syncSoftware: true,
    };
    const { user, calls, options } = await openGlobexOptions({}, kept);
    expect(within(options).getByRole("checkbox", { name: "Warranty" })).not.toBeChecked();
    expect(within(options).getByRole("checkbox", { name: "Memory" })).toBeChecked();
    expect(within(options).getByRole("checkbox", { name: "Installed software" })).toBeChecked();
    const patchRing = within(options).getByRole("checkbox", { name: "patchRing" });
    expect(patchRing).toBeChecked();

    await user.click(patchRing);
    await user.click(within(options).getByRole("checkbox", { name: "Warranty" }));
    await user.click(within(options).getByRole("button", { name: "Save options for Globex" }));

    await within(options).findByRole("button", { name: "Save options for Globex" });
    const [call] = mapCalls(calls);
    expect(call?.options).toMatchObject({
      dropFieldGroups: [],
      keepFieldGroups: ALL_GROUPS,
      customFields: [],
      syncSoftware: true,
    });
  });

  it("says it is loading custom fields, and when none were found", async () => {
    const answer = deferred<string[]>();
    const { user, options } = await openGlobexOptions({
      custom_field_names: () => answer.promise,
    });
    await user.click(
      within(options).getByRole("button", { name: "Load custom fields of Globex from NinjaOne" }),
    );
    const loading = within(options).getByRole("button", {
      name: "Load custom fields of Globex from NinjaOne",
    });
    expect(loading).toHaveTextContent("Loading custom fields…");
    expect(loading).toBeDisabled();

    answer.resolve([]);

    expect(
      await within(options).findByText(
        "No custom fields were found on this organization's devices.",
      ),
    ).toBeVisible();
    expect(
      within(options).getByRole("button", { name: "Load custom fields of Globex from NinjaOne" }),
    ).toHaveTextContent("Load again");
  });

  it("says why custom fields could not be loaded and loads them again on request", async () => {
    let attempts = 0;
    const { user, options } = await openGlobexOptions({
      custom_field_names: () => {
        attempts += 1;
        return attempts === 1
          ? rejectWith({
              kind: "unreachable",
              message: "NinjaOne could not be reached. Check the network and try again.",
            })
          : ["assetTag"];
      },
    });
    const load = () =>
      within(options).getByRole("button", { name: "Load custom fields of Globex from NinjaOne" });
    await user.click(load());

    expect(await within(options).findByRole("alert")).toHaveTextContent(
      "Custom fields could not be loaded: NinjaOne could not be reached. Check the network and try again.",
    );
    expect(within(options).queryByRole("checkbox", { name: "assetTag" })).not.toBeInTheDocument();

    await user.click(load());

    expect(await within(options).findByRole("checkbox", { name: "assetTag" })).not.toBeChecked();
    expect(within(options).queryByRole("alert")).not.toBeInTheDocument();
  });
});

describe("Organizations toolbar", () => {
  it("Accept all suggestions calls accept_suggestions, reports the count and reloads", async () => {
    const user = userEvent.setup();
    let accepted = false;
    const mappedAcme: OrganizationRow = {
      ...ACME,
      state: "mapped",
      companyId: 1,
      companyName: "Acme",
      canAcceptSuggestion: false,
    };
    const calls = await openOrganizations({
      organizations: () =>
        accepted ? [mappedAcme, GLOBEX, INITECH, UMBRELLA] : [ACME, GLOBEX, INITECH, UMBRELLA],
      accept_suggestions: () => {
        accepted = true;
        return [mappedAcme, { ...GLOBEX }];
      },
    });
    await table();

    const acceptAll = screen.getByRole("button", { name: "Accept all suggestions" });
    expect(acceptAll).toBeEnabled();
    await user.click(acceptAll);

    expect(await screen.findByRole("status")).toHaveTextContent("2 organizations mapped");
    expect(within(rowOf("Acme Ltd")).getByText("Mapped")).toBeVisible();
    expect(calls.filter((call) => call.cmd === "accept_suggestions")).toEqual([
      { cmd: "accept_suggestions", args: { connectionId: 1 } },
    ]);
    expect(calls.filter((call) => call.cmd === "organizations")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Accept all suggestions" })).toBeDisabled();
  });

  it("disables Accept all suggestions when no pending row has a suggestion", async () => {
    await openOrganizations({}, [GLOBEX, INITECH, UMBRELLA]);
    await table();
    expect(screen.getByRole("button", { name: "Accept all suggestions" })).toBeDisabled();
  });

  it("Discover again shows the counts, warns when truncated and reloads the rows", async () => {
    const user = userEvent.setup();
    let discovered = false;
    const NEW = orgRow({ orgId: 105, name: "Stark Industries" });
    const answer = deferred<ReturnType<typeof discoveryWith>>();
    const calls = await openOrganizations({
      organizations: () =>
        discovered ? [ACME, GLOBEX, INITECH, UMBRELLA, NEW] : [ACME, GLOBEX, INITECH, UMBRELLA],
      discover_organizations: () => {
        discovered = true;
        return answer.promise;
      },
    });
    await table();

    await user.click(screen.getByRole("button", { name: "Discover again" }));
    const busy = screen.getByRole("button", { name: "Discovering…" });
    expect(busy).toBeDisabled();
    expect(busy).toHaveAttribute("aria-busy", "true");

    answer.resolve(
      discoveryWith({
        organizations: 5,
        newOrganizations: 1,
        goneOrganizations: 1,
        truncated: true,
      }),
    );

    const status = await screen.findByRole("status");
    expect(status).toHaveTextContent("5 organizations, 1 new, 1 gone");
    expect(status).toHaveTextContent(
      "NinjaOne has more organizations than Fleetward lists; only the first 5 are shown.",
    );
    expect(await screen.findByRole("rowheader", { name: "Stark Industries" })).toBeVisible();
    expect(calls.filter((call) => call.cmd === "discover_organizations")).toEqual([
      { cmd: "discover_organizations", args: { connectionId: 1 } },
    ]);
  });

  it("shows why discovery failed", async () => {
    const user = userEvent.setup();
    await openOrganizations({
      discover_organizations: () =>
        rejectWith({ kind: "authentication", message: "NinjaOne refused the saved credentials." }),
    });
    await table();

    await user.click(screen.getByRole("button", { name: "Discover again" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Discovery failed");
    expect(alert).toHaveTextContent("NinjaOne refused the saved credentials.");
  });
});

describe("Several connections", () => {
  it("shows the first active connection and switches with the Connection list", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations({
      connections: () => [
        connectionWith({ id: 1, name: "Old", active: false }),
        connectionWith({ id: 2, name: "Contoso US" }),
        connectionWith({ id: 3, name: "Contoso EU" }),
      ],
      organizations: (args) =>
        args.connectionId === 2
          ? [orgRow({ connectionId: 2, orgId: 1, name: "US customer" })]
          : [orgRow({ connectionId: 3, orgId: 2, name: "EU customer" })],
    });

    const select = await screen.findByRole("combobox", { name: "Connection" });
    expect(
      within(select)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Contoso US", "Contoso EU"]);
    expect(await screen.findByRole("rowheader", { name: "US customer" })).toBeVisible();

    await user.selectOptions(select, "Contoso EU");

    expect(await screen.findByRole("rowheader", { name: "EU customer" })).toBeVisible();
    expect(
      calls.filter((call) => call.cmd === "organizations").map((call) => call.args.connectionId),
    ).toEqual([2, 3]);
  });
});

describe("Actions follow the engine's flags", () => {
  /** Gone from NinjaOne but still named like a company: the engine refuses to map it. */
  const GONE_WITH_SUGGESTION = orgRow({
    orgId: 201,
    name: "Vandelay",
    gone: true,
    suggestedCompanyId: 1,
    suggestedCompanyName: "Acme",
    canAcceptSuggestion: false,
    canMap: false,
  });

  it("offers a gone organization Don't sync but neither Accept suggestion nor Use existing nor Create new", async () => {
    const user = userEvent.setup();
    const calls = await openOrganizations(
      { map_organization: () => ({ ...GONE_WITH_SUGGESTION, state: "ignored" }) },
      [ACME, GONE_WITH_SUGGESTION],
    );
    await table();

    const gone = rowOf("Vandelay");
    expect(within(gone).queryByRole("button", { name: /^Accept suggestion/ })).toBeNull();
    expect(within(gone).queryByRole("button", { name: /^Use existing/ })).toBeNull();
    expect(within(gone).queryByRole("button", { name: /^Create new/ })).toBeNull();
    expect(gone).not.toHaveTextContent("Suggested:");

    await user.click(within(gone).getByRole("button", { name: "Don't sync Vandelay" }));

    expect(await within(rowOf("Vandelay")).findByText("Ignored")).toBeVisible();
    expect(mapCalls(calls)).toEqual([
      { connectionId: 1, orgId: 201, choice: { action: "ignore" }, options: null },
    ]);
  });

  it("shows no Accept suggestion for a row with a suggestion the engine does not let accept", async () => {
    const refused = orgRow({
      orgId: 202,
      name: "Kramerica",
      suggestedCompanyId: 2,
      suggestedCompanyName: "Globex Corporation",
      canAcceptSuggestion: false,
      canMap: true,
    });
    await openOrganizations({}, [refused]);
    await table();

    const row = rowOf("Kramerica");
    expect(within(row).queryByRole("button", { name: /^Accept suggestion/ })).toBeNull();
    expect(
      within(row).getByRole("button", { name: "Use existing company for Kramerica" }),
    ).toBeVisible();
    expect(
      within(row).getByRole("button", { name: "Create new company for Kramerica" }),
    ).toBeVisible();
  });

  it("counts and enables Accept all suggestions on flagged rows only", async () => {
    const flagged = orgRow({
      orgId: 203,
      name: "Pendant Publishing",
      suggestedCompanyId: 2,
      suggestedCompanyName: "Globex Corporation",
      canAcceptSuggestion: true,
    });
    const unflagged = orgRow({
      orgId: 204,
      name: "Monk's Café",
      suggestedCompanyId: 1,
      suggestedCompanyName: "Acme",
      canAcceptSuggestion: false,
    });
    await openOrganizations({}, [ACME, flagged, unflagged, GONE_WITH_SUGGESTION, GLOBEX]);
    await table();

    const acceptAll = screen.getByRole("button", { name: "Accept all suggestions" });
    expect(acceptAll).toBeEnabled();
    expect(acceptAll).toHaveAccessibleDescription("2 suggestions to accept");
  });

  it("disables Accept all suggestions when rows have suggestions but none is flagged", async () => {
    await openOrganizations({}, [GONE_WITH_SUGGESTION, { ...ACME, canAcceptSuggestion: false }]);
    await table();

    const acceptAll = screen.getByRole("button", { name: "Accept all suggestions" });
    expect(acceptAll).toBeDisabled();
    expect(acceptAll).toHaveAccessibleDescription("No suggestions to accept");
  });

  it("keeps the options of a mapped organization gone from NinjaOne as they are", async () => {
    const user = userEvent.setup();
    const goneMapped = { ...GLOBEX, gone: true, canMap: false };
    const calls = await openOrganizations({}, [goneMapped]);
    await table();

    await user.click(screen.getByRole("button", { name: "Options for Globex" }));

    const options = screen.getByRole("group", { name: "Options for Globex" });
    expect(
      within(options).getByRole("textbox", { name: "Limit to locations" }),
    ).toHaveAccessibleDescription(
      "This organization is gone from NinjaOne: its options cannot change until it is back.",
    );
    expect(within(options).getByRole("button", { name: "Save options for Globex" })).toBeDisabled();
    expect(mapCalls(calls)).toEqual([]);
  });
});

describe("Waiting on NinjaOne", () => {
  it("says why Discover again is taking long, and stops once it is done", async () => {
    const user = userEvent.setup();
    const answer = deferred<ReturnType<typeof discoveryWith>>();
    await openOrganizations({ discover_organizations: () => answer.promise });
    await table();

    await user.click(screen.getByRole("button", { name: "Discover again" }));
    const message =
      "NinjaOne asked to wait 30 s before answering /v2/organizations (attempt 2 of 6)";
    await emitEngine({ type: "waiting", message });

    expect(screen.getByRole("status")).toHaveTextContent(message);

    answer.resolve(discoveryWith({ organizations: 4, newOrganizations: 0 }));

    expect(await screen.findByText("4 organizations, 0 new, 0 gone")).toBeVisible();
    expect(screen.queryByText(message)).not.toBeInTheDocument();
  });
});

import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import { connectionWith, setupWith } from "../../test/fixtures";
import { mockEngine, startAt } from "../../test/engine";

const DEMO = {
  name: "Demo tenant",
  baseUrl: "http://127.0.0.1:47123",
  clientId: "demo-client",
  clientSecret: "demo-secret",
};

async function firstWindow(setup: ReturnType<typeof setupWith>) {
  mockEngine({ connection_setup: () => setup });
  startAt("/connection");
  render(<App />);
  await screen.findByRole("combobox", { name: "Region" });
}

describe("First run", () => {
  it("says what Fleetward does and offers Connect NinjaOne or the demo tenant", async () => {
    await firstWindow(setupWith({ demo: DEMO }));

    const welcome = screen.getByRole("region", { name: "Welcome to Fleetward" });
    expect(welcome).toHaveTextContent("connects read-only to your NinjaOne tenant");
    expect(screen.getByRole("button", { name: "Connect NinjaOne" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Try the demo tenant" })).toBeEnabled();
  });

  it("Try the demo tenant fills the connection with the built-in simulator's tenant", async () => {
    const user = userEvent.setup();
    await firstWindow(setupWith({ demo: DEMO }));

    await user.click(screen.getByRole("button", { name: "Try the demo tenant" }));

    expect(screen.queryByRole("region", { name: "Welcome to Fleetward" })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Base URL")).toHaveValue(DEMO.baseUrl);
    expect(screen.getByLabelText("Client ID")).toHaveValue(DEMO.clientId);
    expect(screen.getByLabelText("Client Secret")).toHaveValue(DEMO.clientSecret);
  });

  it("Connect NinjaOne leaves an empty form for real credentials", async () => {
    const user = userEvent.setup();
    await firstWindow(setupWith({ demo: DEMO }));

    await user.click(screen.getByRole("button", { name: "Connect NinjaOne" }));

    expect(screen.queryByRole("region", { name: "Welcome to Fleetward" })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Client ID")).toHaveValue("");
  });

  it("says why the demo is unavailable when its simulator did not start", async () => {
    await firstWindow(setupWith({ demo: null }));

    expect(screen.getByRole("button", { name: "Try the demo tenant" })).toBeDisabled();
    expect(screen.getByText(/demo tenant is not available/)).toBeVisible();
  });

  it("is not shown once a connection is saved", async () => {
    await firstWindow(setupWith({ connections: [connectionWith()] }));

    expect(screen.queryByRole("region", { name: "Welcome to Fleetward" })).not.toBeInTheDocument();
  });
});

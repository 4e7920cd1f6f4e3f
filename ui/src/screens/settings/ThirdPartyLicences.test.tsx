import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { ThirdPartyLicences as Licences } from "../../licenses";
import { ThirdPartyLicences } from "./ThirdPartyLicences";

const LIST: Licences = {
  generatedBy: "tools/licenses/generate.mjs (cargo metadata, npm ls)",
  packages: [
    {
      name: "react",
      version: "19.3.1",
      ecosystem: "npm",
      license: "MIT",
      repository: "https://github.com/react/react.git",
      texts: [0],
    },
    {
      name: "tauri",
      version: "2.12.5",
      ecosystem: "crates.io",
      license: "Apache-2.0 OR MIT",
      repository: "https://github.com/tauri-apps/tauri",
      texts: [0, 1],
    },
    {
      name: "ts-rs",
      version: "11.0.0",
      ecosystem: "crates.io",
      license: "MIT",
      repository: null,
      texts: [],
    },
  ],
  texts: ["MIT License\n\nPermission is hereby granted…", "Apache License\nVersion 2.0"],
};

function serve(answer: () => Promise<Response>) {
  const fetch = vi.fn(answer);
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("Third-party licences in About", () => {
  it("lists every bundled package with its licence and the generated texts", async () => {
    const user = userEvent.setup();
    const fetch = serve(() => Promise.resolve(Response.json(LIST)));
    render(<ThirdPartyLicences />);

    expect(
      await screen.findByText(/includes 3 third-party packages \(2 from crates.io, 1 from npm\)/),
    ).toBeVisible();
    expect(fetch).toHaveBeenCalledWith("third-party-licenses.json");
    const list = screen.getByRole("list", { name: "Third-party packages" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);

    await user.click(screen.getByText("tauri 2.12.5 — Apache-2.0 OR MIT"));
    expect(screen.getByText(/Apache License/)).toBeVisible();
    expect(screen.getByText("https://github.com/tauri-apps/tauri")).toBeVisible();

    await user.click(screen.getByText("ts-rs 11.0.0 — MIT"));
    expect(
      screen.getByText("The package ships no licence file; its licence is MIT."),
    ).toBeVisible();
  });

  it("finds packages by name or licence", async () => {
    const user = userEvent.setup();
    serve(() => Promise.resolve(Response.json(LIST)));
    render(<ThirdPartyLicences />);

    await user.type(await screen.findByLabelText("Find a package or licence"), "apache");
    const list = screen.getByRole("list", { name: "Third-party packages" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    expect(within(list).getByText(/^tauri/)).toBeVisible();

    await user.clear(screen.getByLabelText("Find a package or licence"));
    await user.type(screen.getByLabelText("Find a package or licence"), "nothing-like-this");
    expect(screen.getByText("No package matches “nothing-like-this”.")).toBeVisible();
  });

  it("says when a build carries no generated list", async () => {
    serve(() => Promise.resolve(new Response("not found", { status: 404 })));
    render(<ThirdPartyLicences />);

    expect(await screen.findByText(/This build has no third-party licence list/)).toBeVisible();
  });
});

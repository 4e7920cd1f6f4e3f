import { useEffect, useId, useState } from "react";

import { loadLicences, type ThirdPartyLicences as Licences } from "../../licenses";

/** How many matching packages are listed at once; the filter narrows the rest. */
const SHOWN = 60;

type LoadState =
  { status: "loading" } | { status: "ready"; licences: Licences } | { status: "missing" };

export function ThirdPartyLicences() {
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const [filter, setFilter] = useState("");
  const filterId = useId();

  useEffect(() => {
    let live = true;
    void loadLicences().then((licences) => {
      if (live) setState(licences ? { status: "ready", licences } : { status: "missing" });
    });
    return () => {
      live = false;
    };
  }, []);

  if (state.status === "loading") {
    return <p className="muted">Loading the third-party licences…</p>;
  }
  if (state.status === "missing") {
    return (
      <p className="hint">
        This build has no third-party licence list. Release builds generate it (
        <code>cargo xtask licenses</code>).
      </p>
    );
  }
  const { packages, texts } = state.licences;
  const wanted = filter.trim().toLowerCase();
  const matches = packages.filter(
    (p) =>
      !wanted || p.name.toLowerCase().includes(wanted) || p.license.toLowerCase().includes(wanted),
  );
  const crates = packages.filter((p) => p.ecosystem === "crates.io").length;
  return (
    <div className="third-party">
      <p>
        Fleetward includes {packages.length} third-party packages ({crates} from crates.io,{" "}
        {packages.length - crates} from npm), each under its own licence below.
      </p>
      <label htmlFor={filterId}>Find a package or licence</label>
      <input
        id={filterId}
        type="search"
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
      />
      <ul className="third-party-list" aria-label="Third-party packages">
        {matches.slice(0, SHOWN).map((p) => (
          <li key={`${p.ecosystem}:${p.name}@${p.version}`}>
            <details>
              <summary>
                {p.name} {p.version} — {p.license}
              </summary>
              {p.repository && <p className="muted">{p.repository}</p>}
              {p.texts.length === 0 ? (
                <p className="muted">
                  The package ships no licence file; its licence is {p.license}.
                </p>
              ) : (
                p.texts.map((i) => (
                  <pre key={i} className="licence-text">
                    {texts[i]}
                  </pre>
                ))
              )}
            </details>
          </li>
        ))}
      </ul>
      {matches.length > SHOWN && (
        <p className="hint">
          {matches.length - SHOWN} more match; type more of a name to narrow the list.
        </p>
      )}
      {matches.length === 0 && <p className="hint">No package matches “{filter}”.</p>}
    </div>
  );
}

// Generates the list of third-party software Fleetward ships, with each package's licence
// and licence texts, for Settings → About. Nothing is written by hand: the Rust packages come
// from `cargo metadata` (every normal dependency of the app and fleetward-cli on this build's
// platform; the release workflow runs this on each), the UI's from `npm ls --omit=dev` (what the bundle ships; build tools excluded),
// and the texts from the LICENSE/COPYING/NOTICE files inside each package as the registries
// delivered them. Offline: it reads what cargo and npm have already fetched. (C code some
// crates compile in, such as SQLCipher inside libsqlite3-sys, is covered by that crate's
// entry only.)
//
// Usage: node tools/licenses/generate.mjs [OUT]   (default ui/public/third-party-licenses.json)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const out = resolve(process.argv[2] ?? join(root, "ui/public/third-party-licenses.json"));
const SHIPPED_ROOTS = ["fleetward", "fleetward-cli"];
const TEXT_FILE = /^(licen[cs]e|copying|notice|unlicense)([-._].*)?$/i;

const texts = [];
const textIndex = new Map();
function textId(text) {
  const key = createHash("sha256").update(text.trim()).digest("hex");
  if (!textIndex.has(key)) {
    textIndex.set(key, texts.length);
    texts.push(text.trim());
  }
  return textIndex.get(key);
}

function licenceTexts(dir, extra) {
  const files = new Set();
  if (extra) files.add(resolve(dir, extra));
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (TEXT_FILE.test(name)) files.add(join(dir, name));
    }
  }
  const ids = [];
  for (const file of [...files].sort()) {
    try {
      ids.push(textId(readFileSync(file, "utf8")));
    } catch {
      // A directory named like a licence, or an unreadable file: nothing to show.
    }
  }
  return [...new Set(ids)];
}

/** This build's platform: the packages listed are the ones compiled into its binaries. */
function hostTriple() {
  const info = execFileSync("rustc", ["-vV"], { encoding: "utf8" });
  const host = /^host: (.+)$/m.exec(info)?.[1];
  if (!host) throw new Error("rustc -vV did not name the host platform");
  return host;
}

function rustPackages() {
  const args = ["metadata", "--format-version", "1", "--locked", "--filter-platform", hostTriple()];
  const metadata = JSON.parse(
    execFileSync("cargo", args, {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    }),
  );
  const byId = new Map(metadata.packages.map((p) => [p.id, p]));
  const nodes = new Map(metadata.resolve.nodes.map((n) => [n.id, n]));
  const members = new Set(metadata.workspace_members);
  const queue = metadata.packages
    .filter((p) => members.has(p.id) && SHIPPED_ROOTS.includes(p.name))
    .map((p) => p.id);
  if (queue.length !== SHIPPED_ROOTS.length) {
    throw new Error(`cargo metadata did not list ${SHIPPED_ROOTS.join(" and ")}`);
  }
  const seen = new Set(queue);
  while (queue.length > 0) {
    const node = nodes.get(queue.pop());
    for (const dep of node?.deps ?? []) {
      // Normal dependencies only: build scripts and dev tools are not shipped.
      const shipped = dep.dep_kinds.some((k) => k.kind === null);
      if (shipped && !seen.has(dep.pkg)) {
        seen.add(dep.pkg);
        queue.push(dep.pkg);
      }
    }
  }
  return [...seen]
    .filter((id) => !members.has(id))
    .map((id) => byId.get(id))
    .map((p) => ({
      name: p.name,
      version: p.version,
      ecosystem: "crates.io",
      license: p.license ?? (p.license_file ? "see licence text" : "not stated"),
      repository: p.repository ?? null,
      texts: licenceTexts(dirname(p.manifest_path), p.license_file),
    }));
}

function npmPackages() {
  const tree = JSON.parse(
    execFileSync("npm", ["ls", "--omit=dev", "--all", "--json", "--long"], {
      cwd: join(root, "ui"),
      maxBuffer: 64 * 1024 * 1024,
      encoding: "utf8",
    }),
  );
  const found = new Map();
  const walk = (node) => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      const key = `${name}@${dep.version}`;
      if (found.has(key) || !dep.path) continue;
      const repository = typeof dep.repository === "string" ? dep.repository : dep.repository?.url;
      found.set(key, {
        name,
        version: dep.version,
        ecosystem: "npm",
        license: typeof dep.license === "string" ? dep.license : "not stated",
        repository: repository ?? null,
        texts: licenceTexts(dep.path),
      });
      walk(dep);
    }
  };
  walk(tree);
  return [...found.values()];
}

const packages = [...rustPackages(), ...npmPackages()].sort(
  (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({ generatedBy: "tools/licenses/generate.mjs (cargo metadata, npm ls)", packages, texts }),
);
const withoutText = packages.filter((p) => p.texts.length === 0).length;
console.log(
  `${out}: ${packages.length} packages (${packages.filter((p) => p.ecosystem === "npm").length} npm), ` +
    `${texts.length} distinct licence texts; ${withoutText} package(s) ship no licence file (their licence id is listed)`,
);

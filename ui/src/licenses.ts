// The third-party licence list the build generates (tools/licenses/generate.mjs) into the
// UI's public folder; About shows it. Loaded on demand: it is about a megabyte.

export interface ThirdPartyPackage {
  name: string;
  version: string;
  ecosystem: "crates.io" | "npm";
  license: string;
  repository: string | null;
  /** Indexes into `texts`. */
  texts: number[];
}

export interface ThirdPartyLicences {
  generatedBy: string;
  packages: ThirdPartyPackage[];
  texts: string[];
}

export const LICENCES_FILE = "third-party-licenses.json";

/** The generated list, or null when this build has none (a development build). */
export async function loadLicences(): Promise<ThirdPartyLicences | null> {
  try {
    const response = await fetch(LICENCES_FILE);
    if (!response.ok) return null;
    const data = (await response.json()) as ThirdPartyLicences;
    return Array.isArray(data.packages) && Array.isArray(data.texts) ? data : null;
  } catch {
    return null;
  }
}

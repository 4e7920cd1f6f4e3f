// The engine names a run's or an audit event's scope as text (`all`, `msp`, `company:7`,
// `tenant:ct_…`); this turns the forms it documents into words and leaves anything else as
// it came.
import type { Company } from "../../bindings/Company";

export interface ScopeView {
  text: string;
  /** The company page, when the scope is one company that still exists. */
  companyId: number | null;
}

export function scopeView(scope: string, companies: readonly Company[]): ScopeView {
  if (scope === "all") return { text: "All companies", companyId: null };
  if (scope === "msp") return { text: "MSP", companyId: null };
  const company = /^company:(\d+)$/.exec(scope);
  if (company) {
    const id = Number(company[1]);
    const found = companies.find((c) => c.id === id);
    return found ? { text: found.name, companyId: id } : { text: `Company ${id}`, companyId: null };
  }
  const tenant = /^tenant:(.+)$/.exec(scope);
  if (tenant) {
    const found = companies.find((c) => c.complianceTenantId === tenant[1]);
    return found
      ? { text: `${found.name} (compliance tenant)`, companyId: found.id }
      : { text: `Compliance tenant ${tenant[1]}`, companyId: null };
  }
  return { text: scope, companyId: null };
}

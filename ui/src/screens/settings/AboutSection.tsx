import type { AppInfo } from "../../bindings/AppInfo";
import { SettingsSection } from "./SettingsSection";
import { ThirdPartyLicences } from "./ThirdPartyLicences";

export function AboutSection({ info }: { info: AppInfo }) {
  const engine = info.engine;
  const sqlcipher = engine?.selfCheck.sqlcipherVersion ?? null;
  return (
    <SettingsSection title="About">
      <dl className="facts">
        <div>
          <dt>Version</dt>
          <dd>{info.version}</dd>
        </div>
        <div>
          <dt>Data folder</dt>
          <dd>{engine ? <code className="path">{engine.dataDir}</code> : "Not available"}</dd>
        </div>
        <div>
          <dt>Encryption</dt>
          <dd>{sqlcipher ? `SQLCipher ${sqlcipher}` : "Not available"}</dd>
        </div>
        {engine && (
          <div>
            <dt>Database</dt>
            <dd>SQLite {engine.selfCheck.sqliteVersion}</dd>
          </div>
        )}
      </dl>
      <h3>Third-party software</h3>
      <ThirdPartyLicences />
    </SettingsSection>
  );
}

-- Compliance evidence (SPEC §5, §9).
--
-- Single flight per compliance tenant across processes: a sweep of a tenant the app is
-- sweeping answers "already running" in the CLI. A lock whose holder stopped renewing it
-- (a killed process) is taken over.
CREATE TABLE sweep_locks (
    compliance_tenant_id  TEXT PRIMARY KEY,
    holder                TEXT NOT NULL,
    acquired_at           TEXT NOT NULL,
    heartbeat_at          TEXT NOT NULL
);

-- A ticket remembers the signal status of the latest sweep that touched it, and the
-- compliance tenant it was raised on.
ALTER TABLE tickets ADD COLUMN signal_status TEXT
    CHECK (signal_status IS NULL OR signal_status IN ('pass', 'warn', 'fail', 'no_data'));
ALTER TABLE tickets ADD COLUMN compliance_tenant_id TEXT;

CREATE INDEX signals_by_company ON signals (company_id, signal, collected_at);
CREATE INDEX evidence_by_tenant ON evidence (compliance_tenant_id, collected_at);
CREATE INDEX evidence_by_signal ON evidence (signal_id);

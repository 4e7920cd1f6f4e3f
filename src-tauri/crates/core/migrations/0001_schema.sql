-- Fleetward's domain schema (SPEC §2–§7). Times are RFC 3339 UTC text. Ids are integers
-- except the compliance tenant id, a distinct opaque text id so it can never be confused
-- with a company or connection id.

CREATE TABLE connections (
    id                        INTEGER PRIMARY KEY,
    name                      TEXT    NOT NULL,
    region                    TEXT,                          -- us|us2|eu|ca|oc, NULL for a custom address
    base_url                  TEXT    NOT NULL,
    client_id                 TEXT    NOT NULL,
    client_secret             TEXT,                          -- encrypted at rest by SQLCipher; NULL after disconnect
    granted_scopes            TEXT    NOT NULL DEFAULT '',
    active                    INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT    NOT NULL,
    tested_at                 TEXT,
    disconnected_at           TEXT,
    first_evidence_synced_at  TEXT,
    discovered_at             TEXT,
    orgs_truncated            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (base_url, client_id)
);

CREATE TABLE companies (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_key              TEXT NOT NULL,                     -- trimmed, lower-cased: the match key for suggestions
    compliance_tenant_id  TEXT UNIQUE,
    created_at            TEXT NOT NULL
);
CREATE INDEX companies_by_name_key ON companies (name_key);

-- NinjaOne organizations as last discovered; never deleted, flagged when gone.
CREATE TABLE organizations (
    connection_id  INTEGER NOT NULL REFERENCES connections (id),
    org_id         INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    device_count   INTEGER,
    first_seen_at  TEXT    NOT NULL,
    last_seen_at   TEXT    NOT NULL,
    gone_at        TEXT,
    PRIMARY KEY (connection_id, org_id)
);

CREATE TABLE mappings (
    connection_id      INTEGER NOT NULL,
    org_id             INTEGER NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'mapped', 'ignored')),
    company_id         INTEGER REFERENCES companies (id),
    include_non_agent  INTEGER NOT NULL DEFAULT 0,
    sync_software      INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT    NOT NULL,
    PRIMARY KEY (connection_id, org_id),
    FOREIGN KEY (connection_id, org_id) REFERENCES organizations (connection_id, org_id),
    CHECK ((state = 'mapped') = (company_id IS NOT NULL))
);

-- Optional location restriction of a mapping: when rows exist, only these locations sync.
CREATE TABLE mapping_locations (
    connection_id  INTEGER NOT NULL,
    org_id         INTEGER NOT NULL,
    location_id    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, org_id, location_id),
    FOREIGN KEY (connection_id, org_id) REFERENCES mappings (connection_id, org_id) ON DELETE CASCADE
);

CREATE TABLE assets (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    source          TEXT    NOT NULL CHECK (source IN ('ninjaone', 'level', 'intune', 'entra')),
    external_id     TEXT    NOT NULL,
    uid             TEXT,
    connection_id   INTEGER REFERENCES connections (id),
    org_id          INTEGER,
    name            TEXT,
    serial_number   TEXT,
    serial_key      TEXT,                                    -- normalised serial for dedup, NULL for placeholders
    mac_addresses   TEXT    NOT NULL DEFAULT '[]',
    node_class      TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'stale', 'retired')),
    retired_reason  TEXT,
    retired_by      INTEGER REFERENCES assets (id),
    fields          TEXT    NOT NULL DEFAULT '{}',           -- curated field groups as JSON
    first_seen_at   TEXT    NOT NULL,
    last_seen_at    TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (company_id, source, external_id)
);
CREATE INDEX assets_by_company ON assets (company_id, status);
CREATE INDEX assets_by_serial ON assets (company_id, serial_key);

CREATE TABLE asset_field_changes (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets (id),
    run_id      INTEGER REFERENCES runs (id),
    field       TEXT    NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    changed_at  TEXT    NOT NULL
);
CREATE INDEX asset_field_changes_by_asset ON asset_field_changes (asset_id, changed_at);

CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL CHECK (kind IN ('sync', 'sweep', 'discovery', 'poll')),
    trigger        TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual', 'startUp')),
    scope          TEXT    NOT NULL,
    started_at     TEXT    NOT NULL,
    finished_at    TEXT,
    status         TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
    truncated_any  INTEGER NOT NULL DEFAULT 0,
    requests       INTEGER NOT NULL DEFAULT 0,
    counts         TEXT    NOT NULL DEFAULT '{}',
    errors         TEXT    NOT NULL DEFAULT '[]'
);

CREATE TABLE run_companies (
    run_id              INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    company_id          INTEGER NOT NULL REFERENCES companies (id),
    connection_id       INTEGER NOT NULL,
    org_id              INTEGER NOT NULL,
    created             INTEGER NOT NULL DEFAULT 0,
    updated             INTEGER NOT NULL DEFAULT 0,
    unchanged           INTEGER NOT NULL DEFAULT 0,
    stale               INTEGER NOT NULL DEFAULT 0,
    retired_duplicates  INTEGER NOT NULL DEFAULT 0,
    skipped_pending     INTEGER NOT NULL DEFAULT 0,
    skipped_rejected    INTEGER NOT NULL DEFAULT 0,
    truncated           INTEGER NOT NULL DEFAULT 0,
    error               TEXT,
    PRIMARY KEY (run_id, connection_id, org_id)
);

-- Single flight per mapping across processes (SPEC §9).
CREATE TABLE mapping_locks (
    connection_id  INTEGER NOT NULL,
    org_id         INTEGER NOT NULL,
    holder         TEXT    NOT NULL,
    acquired_at    TEXT    NOT NULL,
    heartbeat_at   TEXT    NOT NULL,
    PRIMARY KEY (connection_id, org_id)
);

-- Schedules run in one process only: a lease taken over when its holder stops renewing it.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Never pruned (SPEC §4).
CREATE TABLE audit_events (
    id                    INTEGER PRIMARY KEY,
    at                    TEXT    NOT NULL,
    scope                 TEXT    NOT NULL,                  -- 'msp', 'company:<id>' or 'tenant:<compliance tenant id>'
    company_id            INTEGER REFERENCES companies (id),
    compliance_tenant_id  TEXT,
    action                TEXT    NOT NULL,
    detail                TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_company ON audit_events (company_id, at);

CREATE TABLE signals (
    id                    INTEGER PRIMARY KEY,
    compliance_tenant_id  TEXT    NOT NULL,
    company_id            INTEGER NOT NULL REFERENCES companies (id),
    signal                TEXT    NOT NULL,
    status                TEXT    NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'no_data')),
    collected_at          TEXT    NOT NULL,
    expires_at            TEXT    NOT NULL,
    metadata              TEXT    NOT NULL DEFAULT '{}',
    run_id                INTEGER REFERENCES runs (id)
);
CREATE INDEX signals_latest ON signals (compliance_tenant_id, signal, collected_at);

CREATE TABLE evidence (
    id                    INTEGER PRIMARY KEY,
    compliance_tenant_id  TEXT    NOT NULL,
    signal_id             INTEGER NOT NULL REFERENCES signals (id),
    control               TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    collected_at          TEXT    NOT NULL,
    expires_at            TEXT    NOT NULL
);

CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies (id),
    signal       TEXT    NOT NULL,
    priority     TEXT    NOT NULL CHECK (priority IN ('high', 'normal')),
    status       TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    title        TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    opened_at    TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    closed_at    TEXT
);
CREATE UNIQUE INDEX one_open_ticket_per_signal ON tickets (company_id, signal) WHERE status = 'open';

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL,
    connection_id  INTEGER REFERENCES connections (id),
    status         TEXT    NOT NULL CHECK (status IN ('open', 'resolved')),
    severity       TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    count          INTEGER NOT NULL DEFAULT 1,
    title          TEXT    NOT NULL,
    device_id      INTEGER,
    org_id         INTEGER,
    first_seen     TEXT    NOT NULL,
    last_seen      TEXT    NOT NULL,
    resolved_at    TEXT
);
CREATE UNIQUE INDEX incidents_by_key ON incidents (key);

-- Idempotency of polling and the webhook receiver: each activity is processed once.
CREATE TABLE processed_activities (
    connection_id  INTEGER NOT NULL,
    activity_id    INTEGER NOT NULL,
    processed_at   TEXT    NOT NULL,
    PRIMARY KEY (connection_id, activity_id)
);

CREATE TABLE poll_cursors (
    connection_id     INTEGER PRIMARY KEY REFERENCES connections (id),
    last_activity_id  INTEGER NOT NULL
);

CREATE TABLE alert_rules (
    id        INTEGER PRIMARY KEY,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    matcher   TEXT    NOT NULL DEFAULT '{}',
    severity  TEXT    NOT NULL,
    actions   TEXT    NOT NULL DEFAULT '[]',
    enabled   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

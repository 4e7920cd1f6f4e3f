-- Incidents from NinjaOne alerts (SPEC §7).
--
-- An incident's state is a pair of max-registers over its series' activities: the newest
-- TRIGGERED (`last_trigger_id`) and the newest resolving activity (`last_resolve_id`). It is
-- open when the newest trigger is newer than the newest resolution. Taking maxima makes the
-- state independent of the order and number of deliveries (webhook, poll, or both).
ALTER TABLE incidents ADD COLUMN company_id      INTEGER REFERENCES companies (id);
ALTER TABLE incidents ADD COLUMN asset_id        INTEGER REFERENCES assets (id);
ALTER TABLE incidents ADD COLUMN device_name     TEXT;
ALTER TABLE incidents ADD COLUMN device_class    TEXT;
ALTER TABLE incidents ADD COLUMN series_uid      TEXT;
ALTER TABLE incidents ADD COLUMN activity_type   TEXT;
ALTER TABLE incidents ADD COLUMN status_code     TEXT;
ALTER TABLE incidents ADD COLUMN source_name     TEXT;
ALTER TABLE incidents ADD COLUMN ninja_severity  TEXT;
ALTER TABLE incidents ADD COLUMN ninja_priority  TEXT;
ALTER TABLE incidents ADD COLUMN actions         TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN last_trigger_id INTEGER;
ALTER TABLE incidents ADD COLUMN last_resolve_id INTEGER;
ALTER TABLE incidents ADD COLUMN resolution      TEXT;   -- reset|completed|manual|reconciled
ALTER TABLE incidents ADD COLUMN acknowledged_at TEXT;

-- Keys are per connection: a fallback key (`sourceConfigUid` + device id) is only unique
-- inside one tenant.
DROP INDEX incidents_by_key;
CREATE UNIQUE INDEX incidents_by_key ON incidents (connection_id, key);
CREATE INDEX incidents_by_status ON incidents (status, severity);

-- What an activity was and what became of it, for the alert rules' "what would this match"
-- preview and for counting what was dropped. Only the fields rules match on are kept.
ALTER TABLE processed_activities ADD COLUMN outcome TEXT NOT NULL DEFAULT 'applied';
ALTER TABLE processed_activities ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
CREATE INDEX processed_activities_by_id ON processed_activities (activity_id);

-- When the open incidents of a connection were last compared with `/v2/alerts`.
ALTER TABLE poll_cursors ADD COLUMN reconciled_at TEXT;

-- Devices met in activities and alerts that are not (yet) synced assets: their
-- organization, class and name, so an activity can be placed without asking NinjaOne again.
CREATE TABLE incident_devices (
    connection_id  INTEGER NOT NULL,
    device_id      INTEGER NOT NULL,
    org_id         INTEGER,
    node_class     TEXT,
    name           TEXT,
    PRIMARY KEY (connection_id, device_id)
);

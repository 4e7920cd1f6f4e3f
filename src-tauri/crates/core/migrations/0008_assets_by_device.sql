-- Incidents place an alert's device on its synced asset by NinjaOne's device id, which lives
-- in the asset's curated fields (`identity.deviceId`, as text). Without an index each lookup
-- decrypted and read every asset of the store: a first poll seeding 4,000 alerts over 50,000
-- assets ran past the 15-minute deadline. The expression must stay word for word the one in
-- `store::incidents` for SQLite to use the index.
CREATE INDEX assets_by_device
    ON assets (connection_id, json_extract(fields, '$."identity.deviceId"'))
    WHERE source = 'ninjaone';

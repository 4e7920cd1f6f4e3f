-- Devices NinjaOne sent for a mapping that could not be read whole (a field of the wrong
-- type, an id that is not a positive integer): their assets are kept as they were and the
-- run is `partial` (SPEC §11), so Sync history can say how many per organization.
ALTER TABLE run_companies ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0;

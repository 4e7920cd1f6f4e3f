-- Items NinjaOne sent during a run that did not fit the model (skipped and counted, SPEC §4):
-- kept with the run so Sync history and `runs list` can say how many were left out.
ALTER TABLE runs ADD COLUMN malformed_items INTEGER NOT NULL DEFAULT 0;

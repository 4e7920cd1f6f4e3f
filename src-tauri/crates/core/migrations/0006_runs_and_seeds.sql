-- Items NinjaOne sent during a run that did not fit the model (skipped and counted, SPEC §4):
-- kept with the run so Sync history and `runs list` can say how many were left out.
ALTER TABLE runs ADD COLUMN malformed_items INTEGER NOT NULL DEFAULT 0;

-- An incident seeded from `/v2/alerts` (the first poll, a missed TRIGGERED) counts one
-- trigger it has not seen as an activity; `seed_id` is the watermark it stands for, until
-- that TRIGGERED (an id at or below it) arrives and takes its place instead of counting twice.
ALTER TABLE incidents ADD COLUMN seed_id INTEGER;

-- Who runs a run (an engine instance's holder name), so a run whose process died is shown as
-- interrupted instead of running forever; and a cancel request any process can make.
ALTER TABLE runs ADD COLUMN holder TEXT;
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;

-- What a mapping keeps (SPEC §4): the optional field groups it leaves out (comma-separated
-- group names, so a group is kept unless left out) and the NinjaOne custom fields it keeps (a
-- JSON array of names). The software opt-in is `sync_software` (0001).
ALTER TABLE mappings ADD COLUMN dropped_field_groups TEXT NOT NULL DEFAULT '';
ALTER TABLE mappings ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '[]';

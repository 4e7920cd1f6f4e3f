-- Who runs a run (an engine instance's holder name), so a run whose process died is shown as
-- interrupted instead of running forever; and a cancel request any process can make.
ALTER TABLE runs ADD COLUMN holder TEXT;
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;

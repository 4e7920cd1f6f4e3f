-- The webhook receiver's journal (SPEC §7): activities it answered `202` for, kept here in
-- the same transaction as the answer's promise and removed once the engine has processed
-- them. A kill between the two leaves them here, and the next receiver start processes
-- them (processing is idempotent by activity id, so doing one twice changes nothing).
CREATE TABLE webhook_inbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  INTEGER NOT NULL UNIQUE,
    -- The activity as received (NinjaOne's JSON, unknown fields kept).
    activity     TEXT    NOT NULL,
    received_at  TEXT    NOT NULL
);

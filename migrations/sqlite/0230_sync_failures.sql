-- +goose Up
-- The sync log entry of each source's latest failure (with or without
-- rejected items), while that source has not succeeded since: what the
-- admin's banner reads. A sync that fails again the same way without
-- rejections (a scope the merchant has not granted, refused every 15
-- minutes) updates that entry (how many times, when last) instead of
-- adding an identical one. A different failure takes its place; a
-- success of the source ends it.
CREATE TABLE sync_failures (
    shop_id  BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    source   TEXT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (shop_id, source)
);
CREATE INDEX sync_failures_event ON sync_failures (event_id);

-- +goose Down
DROP TABLE sync_failures;

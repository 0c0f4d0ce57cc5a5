-- +goose Up
-- A feed shop's inventory-aware catalog feed. The lease keeps one sync of
-- a feed at a time across processes and replicas: a sync takes it with a
-- conditional UPDATE and every write of the sync checks it.
CREATE TABLE feeds (
    shop_id            BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    url                TEXT NOT NULL,
    sealed_credentials BLOB,
    sync_interval      BIGINT NOT NULL, -- nanoseconds
    etag               TEXT NOT NULL DEFAULT '',
    last_modified      TEXT NOT NULL DEFAULT '',
    next_sync_at       DATETIME NOT NULL,
    last_sync_at       DATETIME,
    last_error         TEXT NOT NULL DEFAULT '',
    lease_owner        TEXT NOT NULL DEFAULT '',
    lease_until        DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_sync_at);

-- +goose Down
DROP TABLE feeds;

-- +goose Up
-- One restock batch: how many subscribers it notifies, sized from which stock,
-- and how far its chunked claiming has got (so a retried chunk claims nothing twice).
CREATE TABLE restock_batches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    everyone   BOOLEAN NOT NULL,
    size       INTEGER NOT NULL,
    stock      INTEGER NOT NULL,
    per_unit   INTEGER NOT NULL,
    claimed    INTEGER NOT NULL DEFAULT 0,
    chunks     INTEGER NOT NULL DEFAULT 0,
    cutoff     DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    done_at    DATETIME
);
CREATE INDEX restock_batches_variant ON restock_batches (variant_id, created_at);

-- A message being sent is leased so that two runners never send it at once.
ALTER TABLE messages ADD COLUMN lease_until DATETIME;
-- Held messages of a manual flow, for the merchant's approval list.
CREATE INDEX messages_status ON messages (shop_id, status);

-- +goose Down
DROP INDEX messages_status;
ALTER TABLE messages DROP COLUMN lease_until;
DROP TABLE restock_batches;

-- +goose Up
-- A disconnect (the platform's, or a read no longer listing the location)
-- keeps the location's level as a tombstone instead of deleting it: the
-- row is marked disconnected, its quantity is 0, and it takes a fresh
-- stock sequence number and the disconnect's platform time. A read begun
-- before the disconnect, or an update the platform pushed before it and
-- delivered after it, is then ordered against the tombstone instead of
-- bringing the location back (stockbell.DecideStockChange). A tombstone
-- counts in no stock and in no listing of levels; a later level for the
-- location overwrites it. No index: every query reaches levels through
-- the primary key (variant_id, location_id) and the flag is a filter on
-- the few rows of one variant.
ALTER TABLE inventory_levels ADD COLUMN disconnected BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
DELETE FROM inventory_levels WHERE disconnected;
ALTER TABLE inventory_levels DROP COLUMN disconnected;

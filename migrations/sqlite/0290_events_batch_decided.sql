-- +goose Up
-- The decision on a held batch (FindHeldBatchDecision, read for each batch
-- the admin shows) is its shop's latest batch_decided event naming the
-- batch. Without this index the lookup read all of the shop's events
-- (SQLite: by events_shop, then sorted) or walked the whole table backwards
-- by id (PostgreSQL). Partial, on the decisions only: every other event
-- inserted (a sign-up, a notification, a stock change) only checks its
-- kind against it, and no other event's detail is read. The expression is
-- the store's (jsonInt), so that the database matches it to the query.
-- A plain CREATE INDEX, not CONCURRENTLY, as for 0190: the build reads the
-- events table once, holding its writes meanwhile.
CREATE INDEX events_batch_decided ON events (shop_id, CAST(json_extract(detail, '$.batch_id') AS INTEGER), id)
    WHERE kind = 'batch_decided';

-- +goose Down
DROP INDEX events_batch_decided;

-- +goose Up
-- Nothing on SQLite: PostgreSQL drops the messages' foreign key to shops
-- (its subscription's covers it); SQLite would have to rebuild the table,
-- and its restock chunks do not pay for the key as PostgreSQL's do.
SELECT 1;

-- +goose Down
SELECT 1;

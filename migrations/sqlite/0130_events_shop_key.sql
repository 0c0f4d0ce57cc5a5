-- +goose Up
-- Nothing on SQLite: PostgreSQL drops the events' key to shops, whose check
-- locked the shop's row once per event. SQLite keeps it (dropping it means
-- rebuilding the table); DeleteShop deletes a shop's events by statement
-- on both databases.
SELECT 1;

-- +goose Down
SELECT 1;

-- +goose Up
-- Nothing on SQLite: PostgreSQL leaves room on the messages' pages for a
-- lease to update a message in place; SQLite updates rows in place anyway.
SELECT 1;

-- +goose Down
SELECT 1;

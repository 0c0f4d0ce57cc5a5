-- +goose Up
-- Nothing on SQLite: PostgreSQL drops the messages' key to subscriptions,
-- whose check locked the subscription once per message. SQLite keeps it
-- (dropping it means rebuilding the table); DeleteShop and RedactContact
-- delete messages by statement on both databases.
SELECT 1;

-- +goose Down
SELECT 1;

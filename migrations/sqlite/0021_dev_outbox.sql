-- +goose Up
-- What the development sender "sent": the rendered messages, kept so that
-- the admin's outbox (development only) shows them as recipients would see
-- them. A test message has no message_id.
CREATE TABLE dev_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id     BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    from_name   TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    text_body   TEXT NOT NULL DEFAULT '',
    html_body   TEXT NOT NULL DEFAULT '',
    provider_id TEXT NOT NULL,
    sent_at     DATETIME NOT NULL
);
CREATE INDEX dev_outbox_shop ON dev_outbox (shop_id, sent_at);

-- +goose Down
DROP TABLE dev_outbox;

-- +goose Up
-- One click on a message's tracked short link (/r/{code}). The code is
-- signed and encodes the message id, so nothing is stored at send time.
CREATE TABLE message_clicks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    clicked_at DATETIME NOT NULL
);
CREATE INDEX message_clicks_shop ON message_clicks (shop_id, clicked_at);
CREATE INDEX message_clicks_message ON message_clicks (message_id);

-- +goose Down
DROP TABLE message_clicks;

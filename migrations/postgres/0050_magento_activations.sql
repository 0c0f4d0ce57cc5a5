-- +goose Up
-- Which consumer key activated which Magento shop: the identity link Magento
-- opens after an activation names only the consumer key. Kept as its
-- SHA-256; the credentials themselves are sealed in the shop's token.
CREATE TABLE magento_activations (
    consumer_key_hash TEXT PRIMARY KEY,
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    activated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX magento_activations_shop ON magento_activations (shop_id);

-- +goose Down
DROP TABLE magento_activations;

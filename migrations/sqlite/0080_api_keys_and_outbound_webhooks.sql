-- +goose Up
-- Keys to a shop's JSON admin API (/api/v1). Only the SHA-256 of the key
-- is kept; prefix is its first characters, shown so that a merchant can
-- tell keys apart. A revoked key stays listed and opens nothing.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id      BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_keys_shop ON api_keys (shop_id, id);

-- A shop's endpoints for outbound webhooks (Standard Webhooks). The
-- signing secret is sealed for the shop with the token sealer. event_types
-- is a space-separated list. disabled_at is set by the merchant or after
-- repeated failed deliveries (disabled_reason says which); last_success_at
-- is the last delivery accepted, failing_since the first failure after it.
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id         BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    event_types     TEXT NOT NULL,
    sealed_secret   BLOB NOT NULL,
    last_success_at DATETIME,
    failing_since   DATETIME,
    disabled_at     DATETIME,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX webhook_endpoints_shop ON webhook_endpoints (shop_id, id);

-- +goose Down
DROP TABLE webhook_endpoints;
DROP TABLE api_keys;

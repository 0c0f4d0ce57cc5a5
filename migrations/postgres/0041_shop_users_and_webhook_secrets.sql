-- +goose Up
-- People who may open a shop's admin from its platform (a BigCommerce
-- store's owner and the users granted the app).
CREATE TABLE shop_users (
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    owner      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when the platform removed the user: a signed payload issued
    -- before it grants nothing.
    removed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, user_id)
);

-- The secret a platform sends back in a header of each webhook: its
-- SHA-256 finds the shop, the sealed secret is set on new hooks.
CREATE TABLE webhook_secrets (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    secret_hash   TEXT NOT NULL UNIQUE,
    sealed_secret BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE webhook_secrets;
DROP TABLE shop_users;

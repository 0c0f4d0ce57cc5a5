-- +goose Up
-- One-time links into a shop's admin (`stockbell admin link`, staff
-- invitations). Only the SHA-256 of the secret token is kept; used_at
-- records the one use so that every replica refuses a second one.
CREATE TABLE admin_sign_in_links (
    id         BIGSERIAL PRIMARY KEY,
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX admin_sign_in_links_shop ON admin_sign_in_links (shop_id, created_at);

-- +goose Down
DROP TABLE admin_sign_in_links;

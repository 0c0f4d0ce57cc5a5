-- +goose Up
CREATE TABLE shops (
    id             BIGSERIAL PRIMARY KEY,
    platform       TEXT NOT NULL,
    domain         TEXT NOT NULL,
    primary_domain TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL DEFAULT '',
    public_key     TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    sealed_token   BYTEA,
    scopes         TEXT NOT NULL DEFAULT '',
    installed_at   TIMESTAMPTZ NOT NULL,
    uninstalled_at TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, domain)
);
CREATE INDEX shops_primary_domain ON shops (primary_domain) WHERE primary_domain <> '';

-- Storefront origins a merchant allows besides the platform and primary domains.
CREATE TABLE shop_origins (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    origin  TEXT NOT NULL,
    PRIMARY KEY (shop_id, origin)
);

CREATE TABLE restock_settings (
    shop_id       BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    min_inventory INTEGER NOT NULL,
    per_unit      INTEGER NOT NULL,
    wait          BIGINT NOT NULL, -- nanoseconds
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE flows (
    shop_id    BIGINT PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    template   TEXT NOT NULL DEFAULT '',
    steps      TEXT NOT NULL, -- JSON array of steps
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE products (
    id                  BIGSERIAL PRIMARY KEY,
    shop_id             BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    platform_id         TEXT NOT NULL,
    title               TEXT NOT NULL DEFAULT '',
    handle              TEXT NOT NULL DEFAULT '',
    url                 TEXT NOT NULL DEFAULT '',
    image_url           TEXT NOT NULL DEFAULT '',
    published           BOOLEAN NOT NULL DEFAULT TRUE,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE,
    platform_updated_at TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (shop_id, platform_id)
);

CREATE TABLE variants (
    id                BIGSERIAL PRIMARY KEY,
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id        BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    platform_id       TEXT NOT NULL,
    inventory_item_id TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    sku               TEXT NOT NULL DEFAULT '',
    url               TEXT NOT NULL DEFAULT '',
    image_url         TEXT NOT NULL DEFAULT '',
    price             TEXT NOT NULL DEFAULT '',
    inventory_policy  TEXT NOT NULL DEFAULT 'deny',
    tracked           BOOLEAN NOT NULL DEFAULT TRUE,
    stock             INTEGER NOT NULL DEFAULT 0,
    -- End of the current waiting period between notification batches.
    waiting_until     TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (shop_id, platform_id)
);
CREATE INDEX variants_inventory_item ON variants (shop_id, inventory_item_id) WHERE inventory_item_id <> '';
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE inventory_levels (
    variant_id  BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL,
    available   INTEGER NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL, -- when the platform says the level changed
    PRIMARY KEY (variant_id, location_id)
);

CREATE TABLE subscriptions (
    id                BIGSERIAL PRIMARY KEY,
    shop_id           BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    variant_id        BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    email             TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    channels          TEXT NOT NULL,
    status            TEXT NOT NULL,
    locale            TEXT NOT NULL DEFAULT '',
    sms_consent       BOOLEAN NOT NULL DEFAULT FALSE,
    sms_consent_text  TEXT NOT NULL DEFAULT '',
    marketing_consent BOOLEAN NOT NULL DEFAULT FALSE,
    consent_ip        TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    notified_at       TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL
);
-- The hot path: queued subscribers of a variant, oldest first (ties by id).
CREATE INDEX subscriptions_queue ON subscriptions (variant_id, status, created_at, id);
CREATE INDEX subscriptions_shop ON subscriptions (shop_id, created_at);
-- One queued subscription per contact and variant.
CREATE UNIQUE INDEX subscriptions_queued_email ON subscriptions (variant_id, email) WHERE status = 'queued' AND email <> '';
CREATE UNIQUE INDEX subscriptions_queued_phone ON subscriptions (variant_id, phone) WHERE status = 'queued' AND phone <> '';
CREATE INDEX subscriptions_email ON subscriptions (shop_id, email) WHERE email <> '';
CREATE INDEX subscriptions_phone ON subscriptions (shop_id, phone) WHERE phone <> '';

CREATE TABLE messages (
    id              BIGSERIAL PRIMARY KEY,
    shop_id         BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    provider_id     TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    segments        INTEGER NOT NULL DEFAULT 0,
    due_at          TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    -- Exactly once: one message per subscription and flow step.
    UNIQUE (subscription_id, step)
);
CREATE INDEX messages_shop ON messages (shop_id, created_at);
CREATE INDEX messages_recipient ON messages (shop_id, recipient, sent_at);

CREATE TABLE events (
    id              BIGSERIAL PRIMARY KEY,
    shop_id         BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    variant_id      BIGINT,
    subscription_id BIGINT,
    detail          TEXT NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_shop ON events (shop_id, created_at);
CREATE INDEX events_variant ON events (variant_id, created_at);
CREATE INDEX events_subscription ON events (subscription_id);

CREATE TABLE webhook_deliveries (
    id           BIGSERIAL PRIMARY KEY,
    platform     TEXT NOT NULL,
    shop_id      BIGINT REFERENCES shops (id) ON DELETE CASCADE,
    domain       TEXT NOT NULL,
    delivery_id  TEXT NOT NULL,
    topic        TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    triggered_at TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ,
    -- Deduplication of at-least-once deliveries.
    UNIQUE (platform, domain, delivery_id)
);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE events;
DROP TABLE messages;
DROP TABLE subscriptions;
DROP TABLE inventory_levels;
DROP TABLE variants;
DROP TABLE products;
DROP TABLE flows;
DROP TABLE restock_settings;
DROP TABLE shop_origins;
DROP TABLE shops;

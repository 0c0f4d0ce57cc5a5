-- +goose Up
-- A shop's attribution window (nanoseconds, default seven days) and the time
-- zone its reports count days, weeks and months in.
ALTER TABLE restock_settings ADD COLUMN attribution_window BIGINT NOT NULL DEFAULT 604800000000000;
ALTER TABLE restock_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- One notification converted by one order: counted once per subscription
-- and once per order and variant, however often the order webhook arrives.
CREATE TABLE conversions (
    id              BIGSERIAL PRIMARY KEY,
    shop_id         BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL UNIQUE REFERENCES subscriptions (id) ON DELETE CASCADE,
    variant_id      BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    message_id      BIGINT NOT NULL,
    order_id        TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    revenue         BIGINT NOT NULL, -- ten-thousandths of the currency unit
    currency        TEXT NOT NULL,
    via             TEXT NOT NULL,
    notified_at     TIMESTAMPTZ NOT NULL,
    ordered_at      TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (shop_id, order_id, variant_id)
);
CREATE INDEX conversions_shop ON conversions (shop_id, created_at);
CREATE INDEX conversions_variant ON conversions (variant_id, created_at);

-- +goose Down
DROP TABLE conversions;
ALTER TABLE restock_settings DROP COLUMN time_zone;
ALTER TABLE restock_settings DROP COLUMN attribution_window;

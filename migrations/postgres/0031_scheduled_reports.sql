-- +goose Up
-- An email address that receives a report daily, weekly or monthly.
CREATE TABLE report_subscriptions (
    id         BIGSERIAL PRIMARY KEY,
    shop_id    BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    report     TEXT NOT NULL,
    frequency  TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (shop_id, email, report, frequency)
);

-- One report per subscription and period: the unique row is the claim that
-- lets exactly one replica send it.
CREATE TABLE report_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES report_subscriptions (id) ON DELETE CASCADE,
    period_start    TEXT NOT NULL, -- first date of the period in the shop's time zone
    period_end      TEXT NOT NULL, -- last date of the period
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    UNIQUE (subscription_id, period_start)
);

-- The queued subscribers export reads a shop's queue by variant and place
-- in line without sorting.
CREATE INDEX subscriptions_shop_queue ON subscriptions (shop_id, variant_id, created_at, id) WHERE status = 'queued';

-- +goose Down
DROP INDEX subscriptions_shop_queue;
DROP TABLE report_deliveries;
DROP TABLE report_subscriptions;

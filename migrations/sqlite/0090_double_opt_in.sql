-- +goose Up
-- Double opt-in. A subscription's channels that wait for the shopper's
-- confirmation are listed in awaiting (like channels); a subscription whose
-- every channel waits has the status 'pending' and is not in the queue.
ALTER TABLE subscriptions ADD COLUMN awaiting TEXT NOT NULL DEFAULT '';
-- A shop may ask email subscribers to confirm too.
ALTER TABLE restock_settings ADD COLUMN email_double_opt_in BOOLEAN NOT NULL DEFAULT FALSE;

-- One contact is queued or pending once per variant: a shopper who submits
-- the form again while a confirmation is on its way gets the same
-- subscription, not a second confirmation.
DROP INDEX subscriptions_queued_email;
DROP INDEX subscriptions_queued_phone;
CREATE UNIQUE INDEX subscriptions_queued_email ON subscriptions (variant_id, email) WHERE status IN ('queued', 'pending') AND email <> '';
CREATE UNIQUE INDEX subscriptions_queued_phone ON subscriptions (variant_id, phone) WHERE status IN ('queued', 'pending') AND phone <> '';

-- One confirmation asked of a subscription's channel: sent_at when the
-- request left, consent_text the words the shopper was asked to confirm
-- (without the link), confirmed_at and method (link or reply) when they did.
CREATE TABLE confirmations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id         BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    consent_text    TEXT NOT NULL DEFAULT '',
    requested_at    DATETIME NOT NULL,
    sent_at         DATETIME,
    confirmed_at    DATETIME,
    method          TEXT NOT NULL DEFAULT '',
    UNIQUE (subscription_id, channel)
);
-- A reply is matched to the confirmations still open for its number.
CREATE INDEX confirmations_open ON confirmations (recipient, channel) WHERE confirmed_at IS NULL;

-- +goose Down
DROP TABLE confirmations;
DROP INDEX subscriptions_queued_email;
DROP INDEX subscriptions_queued_phone;
CREATE UNIQUE INDEX subscriptions_queued_email ON subscriptions (variant_id, email) WHERE status = 'queued' AND email <> '';
CREATE UNIQUE INDEX subscriptions_queued_phone ON subscriptions (variant_id, phone) WHERE status = 'queued' AND phone <> '';
ALTER TABLE restock_settings DROP COLUMN email_double_opt_in;
ALTER TABLE subscriptions DROP COLUMN awaiting;

-- Inbound webhooks are receipts; "delivery" is the word for outbound
-- messages. The platform's event id names itself. Constraint, index and
-- sequence names follow the table.

-- +goose Up
ALTER TABLE webhook_deliveries RENAME TO webhook_receipts;
ALTER TABLE webhook_receipts RENAME COLUMN delivery_id TO event_id;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_deliveries_pkey TO webhook_receipts_pkey;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_deliveries_platform_domain_delivery_id_key TO webhook_receipts_platform_domain_event_id_key;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_deliveries_shop_id_fkey TO webhook_receipts_shop_id_fkey;
ALTER SEQUENCE webhook_deliveries_id_seq RENAME TO webhook_receipts_id_seq;

-- +goose Down
ALTER SEQUENCE webhook_receipts_id_seq RENAME TO webhook_deliveries_id_seq;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_receipts_shop_id_fkey TO webhook_deliveries_shop_id_fkey;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_receipts_platform_domain_event_id_key TO webhook_deliveries_platform_domain_delivery_id_key;
ALTER TABLE webhook_receipts RENAME CONSTRAINT webhook_receipts_pkey TO webhook_deliveries_pkey;
ALTER TABLE webhook_receipts RENAME COLUMN event_id TO delivery_id;
ALTER TABLE webhook_receipts RENAME TO webhook_deliveries;

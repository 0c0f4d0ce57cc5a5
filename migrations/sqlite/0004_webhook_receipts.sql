-- Inbound webhooks are receipts; "delivery" is the word for outbound
-- messages. The platform's event id names itself.

-- +goose Up
ALTER TABLE webhook_deliveries RENAME TO webhook_receipts;
ALTER TABLE webhook_receipts RENAME COLUMN delivery_id TO event_id;

-- +goose Down
ALTER TABLE webhook_receipts RENAME COLUMN event_id TO delivery_id;
ALTER TABLE webhook_receipts RENAME TO webhook_deliveries;

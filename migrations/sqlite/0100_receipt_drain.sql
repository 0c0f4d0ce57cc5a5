-- +goose Up
-- Receipts are processed by a drainer that claims pending receipts in
-- batches (no job per receipt). locked_until is a claim's lease, or after a
-- failure the time of the next attempt: a receipt is claimable while it is
-- not processed and locked_until is unset or past. attempts counts claims;
-- last_error is the latest failure.
ALTER TABLE webhook_receipts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_receipts ADD COLUMN locked_until DATETIME;
ALTER TABLE webhook_receipts ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
CREATE INDEX webhook_receipts_pending ON webhook_receipts (id) WHERE processed_at IS NULL;

-- +goose Down
DROP INDEX webhook_receipts_pending;
ALTER TABLE webhook_receipts DROP COLUMN last_error;
ALTER TABLE webhook_receipts DROP COLUMN locked_until;
ALTER TABLE webhook_receipts DROP COLUMN attempts;

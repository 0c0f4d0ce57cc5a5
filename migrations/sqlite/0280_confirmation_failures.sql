-- +goose Up
-- A confirmation request that could not be sent, for good (the provider
-- refused it, or the send job's last attempt failed): failed_at when, and
-- failure, the provider's reason, kept short. The merchant's "Send the
-- confirmation again" clears both.
ALTER TABLE confirmations ADD COLUMN failed_at DATETIME;
ALTER TABLE confirmations ADD COLUMN failure TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE confirmations DROP COLUMN failure;
ALTER TABLE confirmations DROP COLUMN failed_at;

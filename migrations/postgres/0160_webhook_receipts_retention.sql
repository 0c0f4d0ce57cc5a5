-- +goose Up
-- The retention sweep (DeleteProcessedReceipts) deletes the receipts
-- processed before a cutoff, oldest first; this index finds them without
-- reading the pending or the recent ones. Pending receipts have no
-- processed_at and stay out of it (the drainer finds them through
-- webhook_receipts_pending).
CREATE INDEX webhook_receipts_processed ON webhook_receipts (processed_at) WHERE processed_at IS NOT NULL;

-- +goose Down
DROP INDEX webhook_receipts_processed;

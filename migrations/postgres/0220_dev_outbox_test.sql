-- +goose Up
-- The outbox marks a test sent from the Flow page as a test: a message
-- without a flow message is not always one (invitations, confirmation
-- requests, scheduled reports). Tests kept before this column have
-- "[Test] " before their subject.
ALTER TABLE dev_outbox ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE dev_outbox SET test = TRUE WHERE message_id IS NULL AND subject LIKE '[Test] %';

-- +goose Down
ALTER TABLE dev_outbox DROP COLUMN test;

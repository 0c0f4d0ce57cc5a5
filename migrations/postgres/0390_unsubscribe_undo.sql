-- +goose Up
-- What an unsubscribe link ended, so that the shopper can undo it for a
-- while (stockbell.UnsubscribeUndoWindow): when, and the status the
-- subscription had. Only an unsubscribe from a link sets them; an undo,
-- or STOP from the subscription's number, clears them.
ALTER TABLE subscriptions ADD COLUMN unsubscribed_at TIMESTAMPTZ;
ALTER TABLE subscriptions ADD COLUMN unsubscribed_from TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN unsubscribed_from;
ALTER TABLE subscriptions DROP COLUMN unsubscribed_at;

-- +goose Up
-- A manual flow's batch notifies its shoppers when the merchant approves
-- it, no longer when it is held. Shoppers whose alert still waits for
-- approval, or was discarded, were recorded as notified when their batch
-- was held: their subscription becomes held or discarded, not notified,
-- and their notified event a held one (the event that names their batch).
UPDATE events SET kind = 'held' WHERE kind = 'notified' AND subscription_id IN (
    SELECT subscription_id FROM messages WHERE step = 1
    AND (status = 'held' OR (status = 'skipped' AND error = 'discarded_by_merchant')));
UPDATE subscriptions SET status = 'held', notified_at = NULL WHERE status = 'notified' AND id IN (
    SELECT subscription_id FROM messages WHERE step = 1 AND status = 'held');
UPDATE subscriptions SET status = 'discarded', notified_at = NULL WHERE status = 'notified' AND id IN (
    SELECT subscription_id FROM messages WHERE step = 1 AND status = 'skipped' AND error = 'discarded_by_merchant');

-- +goose Down
-- Held and discarded shoppers are notified again as of their batch, and
-- the held event of a shopper without a notified one becomes it.
UPDATE subscriptions SET status = 'notified', notified_at = (
    SELECT MIN(e.created_at) FROM events e WHERE e.subscription_id = subscriptions.id AND e.kind = 'held')
    WHERE status IN ('held', 'discarded');
UPDATE events SET kind = 'notified' WHERE kind = 'held' AND NOT EXISTS (
    SELECT 1 FROM events n WHERE n.subscription_id = events.subscription_id AND n.kind = 'notified');
DELETE FROM events WHERE kind = 'held';

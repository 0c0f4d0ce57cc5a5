-- +goose Up
-- Messages are erased by the store itself: DeleteShop deletes a shop's
-- messages after the shop, and RedactContact the messages of the
-- subscriptions it deleted, after them; a flow's next message is written
-- under a key-share lock on its subscription (continueFlow), as a claim's
-- are under the claim's update. The key's check looked the subscription up
-- and locked it again for every message inserted: 3.9 µs of PostgreSQL's
-- CPU per subscriber of a restock fan-out (docs/BENCHMARKS.md).
ALTER TABLE messages DROP CONSTRAINT messages_subscription_id_fkey;

-- +goose Down
ALTER TABLE messages ADD CONSTRAINT messages_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES subscriptions (id) ON DELETE CASCADE NOT VALID;

-- +goose Up
-- A message's shop is its subscription's, whose foreign key (to shops, ON
-- DELETE CASCADE) already removes the message with its shop. The messages'
-- own key to shops had every message inserted (a thousand per restock
-- chunk) look up and lock (FOR KEY SHARE) the shop's row once more.
ALTER TABLE messages DROP CONSTRAINT messages_shop_id_fkey;

-- +goose Down
ALTER TABLE messages ADD CONSTRAINT messages_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES shops (id) ON DELETE CASCADE;

-- +goose Up
-- A variant the platform no longer lists for a product it still has (a
-- size or combination removed): deleted, as products.deleted marks a
-- product removed, so its subscribers are notified by no one; a read that
-- lists it again revives it. seen_seq is the latest read that found the
-- variant (as products.seen_seq for products): a listing of the product's
-- variants marks deleted only those whose latest finding came before it.
ALTER TABLE variants ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE variants ADD COLUMN seen_seq BIGINT;

-- +goose Down
ALTER TABLE variants DROP COLUMN seen_seq;
ALTER TABLE variants DROP COLUMN deleted;

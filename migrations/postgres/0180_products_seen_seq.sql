-- +goose Up
-- The stock sequence number (stock_seq) of the latest read of the platform
-- that found the product: a read begun before the product was written, or
-- the write itself when it came from no read. A complete catalog sync marks
-- deleted only the products it did not list whose latest finding came
-- before the sync began, so that a product a webhook found meanwhile (made
-- after the sync's listing was read) is kept. Stockbell's own record order,
-- never a clock. NULL: not found since this column was added.
ALTER TABLE products ADD COLUMN seen_seq BIGINT;

-- +goose Down
ALTER TABLE products DROP COLUMN seen_seq;

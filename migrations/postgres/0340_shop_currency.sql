-- +goose Up
-- The ISO 4217 code of the shop's prices as its platform states it (the
-- shop's default or base currency), so that amounts are shown with it.
-- Empty while the platform has not said: such prices are shown bare.
ALTER TABLE shops ADD COLUMN currency TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE shops DROP COLUMN currency;

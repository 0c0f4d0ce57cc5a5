-- +goose Up
-- An expiring access token's refresh token, sealed for the shop like
-- sealed_token, and the two tokens' expiry times by Stockbell's clock
-- (received at + expires_in). All NULL for a token that does not expire
-- (every platform but Shopify, and Shopify tokens granted before expiring
-- ones were asked for, which a job exchanges for expiring ones).
ALTER TABLE shops ADD COLUMN sealed_refresh_token BLOB;
ALTER TABLE shops ADD COLUMN token_expires_at DATETIME;
ALTER TABLE shops ADD COLUMN refresh_token_expires_at DATETIME;

-- +goose Down
ALTER TABLE shops DROP COLUMN refresh_token_expires_at;
ALTER TABLE shops DROP COLUMN token_expires_at;
ALTER TABLE shops DROP COLUMN sealed_refresh_token;

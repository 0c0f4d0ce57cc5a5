-- +goose Up
-- The time of the shop's latest install by the platform's clock, from what
-- the platform signed at install (Shopify: the OAuth callback's timestamp
-- or the session token's iat), so that an app/uninstalled is ordered
-- against the install by the platform's clock alone. NULL when the install
-- gave no such time (and for shops installed before this column).
ALTER TABLE shops ADD COLUMN platform_installed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE shops DROP COLUMN platform_installed_at;

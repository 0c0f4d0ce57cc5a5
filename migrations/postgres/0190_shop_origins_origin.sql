-- +goose Up
-- A storefront's CORS preflight names only its origin (IsStorefrontOrigin):
-- this index finds the shops that allowed it. The primary key (shop_id,
-- origin) cannot, so the lookup read every installed shop and probed the
-- key for each. A plain CREATE INDEX, not CONCURRENTLY: migrations run
-- under goose's lock, behind which a replica starting at the same time
-- would wait forever for a concurrent build; the table is small.
CREATE INDEX shop_origins_origin ON shop_origins (origin);

-- +goose Down
DROP INDEX shop_origins_origin;

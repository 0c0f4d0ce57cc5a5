package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ShopOriginService = (*DB)(nil)

// AddShopOrigin allows a storefront origin for the shop; adding it again is
// not an error. Returns EINVALID (field "origin") or ENOTFOUND.
func (db *DB) AddShopOrigin(ctx context.Context, shopID int64, origin string) error {
	origin, err := stockbell.NormalizeOrigin(origin)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, shopID); err != nil {
			return err
		}
		tx.shopsChanged = true // the shop's origins
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO shop_origins (shop_id, origin) VALUES (?, ?)
			ON CONFLICT (shop_id, origin) DO NOTHING`), shopID, origin)
		return err
	})
}

// RemoveShopOrigin forbids the origin again. Returns EINVALID, or ENOTFOUND
// when the shop did not allow it.
func (db *DB) RemoveShopOrigin(ctx context.Context, shopID int64, origin string) error {
	origin, err := stockbell.NormalizeOrigin(origin)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		tx.shopsChanged = true // the shop's origins
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM shop_origins WHERE shop_id = ? AND origin = ?`), shopID, origin)
		return mustAffect(res, err, "origin %s of shop %d", origin, shopID)
	})
}

// FindShopOrigins returns the shop's allowed origins in alphabetical order.
// Returns ENOTFOUND for an unknown shop.
func (db *DB) FindShopOrigins(ctx context.Context, shopID int64) ([]string, error) {
	origins := []string{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := shopExists(ctx, tx, shopID); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &origins, tx.Rebind(`SELECT origin FROM shop_origins WHERE shop_id = ? ORDER BY origin`), shopID)
	})
	return origins, err
}

// IsStorefrontOrigin reports whether an installed shop allowed the origin;
// anything that is not an origin is false.
func (db *DB) IsStorefrontOrigin(ctx context.Context, origin string) (bool, error) {
	origin, err := stockbell.NormalizeOrigin(origin)
	if err != nil {
		return false, nil
	}
	var known bool
	err = db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &known, tx.Rebind(storefrontOriginQuery), origin, stockbell.ShopInstalled)
	})
	return known, err
}

// storefrontOriginQuery is IsStorefrontOrigin's statement: whether an
// installed shop allowed the origin. It finds the origin by the index
// shop_origins_origin (migration 0190), not by reading every installed shop.
const storefrontOriginQuery = `SELECT EXISTS (SELECT 1 FROM shop_origins o JOIN shops s ON s.id = o.shop_id
	WHERE o.origin = ? AND s.status = ?)`

// FindStorefrontOrigins is FindShopOrigins answered from memory for up to
// ShopCacheTTL (see shopCache): a storefront post from an origin the
// merchant added otherwise reads them on every request. The slice is
// shared between callers, who only read it.
func (db *DB) FindStorefrontOrigins(ctx context.Context, shopID int64) ([]string, error) {
	now := time.Now()
	cached, gen := db.shops.origins.get(shopID, now)
	if cached != nil {
		return *cached, nil
	}
	origins, err := db.FindShopOrigins(ctx, shopID)
	if err == nil {
		db.shops.origins.put(shopID, gen, &origins, now)
	}
	return origins, err
}

package shopify

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// MigrateToken serves ShopifyTokenMigrationJob. Shopify refuses
// non-expiring offline tokens from January 1, 2027; shops installed before
// Stockbell asked for expiring ones hold such a token. For ShopID 0 (a
// periodic job, run at start too) it queues one job per installed Shopify
// shop holding a non-expiring token; for a shop, it exchanges that token
// for an expiring one (stockbell.ShopifyTokens.MigrateShopToken). Shopify's
// refusal is recorded in the shop's sync log (TokenSource) as a refused
// token and not retried: the next periodic run tries again, and the
// merchant opening the app exchanges it too. Other failures are retried.
func (in *Integration) MigrateToken(ctx context.Context, job stockbell.ShopifyTokenMigrationJob) error {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs {
			if len(shop.SealedToken) == 0 || shop.TokenExpiring() {
				return nil
			}
			return stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}
		})
	}
	shop, err := in.Shops.FindShopByID(ctx, job.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() || len(shop.SealedToken) == 0 || shop.TokenExpiring() || in.Tokens == nil {
		return nil
	}
	started := in.Clock.Now()
	migrated, err := in.Tokens.MigrateShopToken(ctx, shop)
	if stopped, err2 := in.stopIfRefused(ctx, &adminSession{in: in, shop: shop}, TokenSource, started, err); stopped {
		return err2
	} else if err != nil {
		return err
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, TokenSource, started, in.Clock.Now(), boolCount(migrated.TokenExpiring()))
}

// boolCount is 1 for true, 0 for false.
func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

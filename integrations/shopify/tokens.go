package shopify

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// RefreshTokenRenewal is how long before its refresh token expires an
// expiring token is refreshed by MigrateToken even when no Admin API call
// needed it: a shop with nothing to read (no one waiting, no webhook to
// confirm) would otherwise let its refresh token expire unused, 90 days
// after it was issued.
const RefreshTokenRenewal = 30 * 24 * time.Hour

// MigrateToken serves ShopifyTokenMigrationJob. Shopify refuses
// non-expiring offline tokens from January 1, 2027; shops installed before
// Stockbell asked for expiring ones hold such a token. For ShopID 0 (a
// periodic job, run at start too) it queues one job per installed Shopify
// shop that needs one (tokenWork); for a shop, it exchanges a non-expiring
// token for an expiring one (stockbell.ShopifyTokens.MigrateShopToken), or
// refreshes an expiring one whose refresh token expires within
// RefreshTokenRenewal. Shopify's refusal is recorded in the shop's sync log
// (TokenSource) as a refused token and not retried: the next periodic run
// tries again, and the merchant opening the app exchanges a non-expiring
// token too. Other failures are retried.
func (in *Integration) MigrateToken(ctx context.Context, job stockbell.ShopifyTokenMigrationJob) (err error) {
	if job.ShopID == 0 {
		return in.fanOut(ctx, func(shop *stockbell.Shop) stockbell.JobArgs {
			if !in.tokenWork(shop) {
				return nil
			}
			return stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}
		})
	}
	defer func() { err = stockbell.EndIfShopErased(ctx, in.Shops, job.ShopID, err) }() // erased while it ran
	shop, err := in.Shops.FindShopByID(ctx, job.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() || !in.tokenWork(shop) || in.Tokens == nil {
		return nil
	}
	started := in.Clock.Now()
	renew := in.Tokens.MigrateShopToken
	if shop.TokenExpiring() {
		renew = in.Tokens.RefreshShopToken
	}
	renewed, err := renew(ctx, shop)
	if stopped, err2 := in.stopIfRefused(ctx, &adminSession{in: in, shop: shop}, TokenSource, started, err); stopped {
		return err2
	} else if err != nil {
		return err
	}
	return stockbell.RecordRecovered(ctx, in.SyncLog, shop.ID, TokenSource, started, in.Clock.Now(), boolCount(renewed.TokenExpiring()))
}

// tokenWork reports whether the shop's token needs MigrateToken: it does
// not expire, or its refresh token expires within RefreshTokenRenewal.
func (in *Integration) tokenWork(shop *stockbell.Shop) bool {
	switch {
	case len(shop.SealedToken) == 0:
		return false
	case !shop.TokenExpiring():
		return true
	}
	return shop.RefreshTokenExpiresAt != nil && in.Clock.Now().Add(RefreshTokenRenewal).After(*shop.RefreshTokenExpiresAt)
}

// boolCount is 1 for true, 0 for false.
func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

package shopify

import (
	"bytes"
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// revokedAdvice follows Shopify's refusal of the shop's access token
// (AdminClient's EUNAUTHORIZED, naming the status) in the sync log.
const revokedAdvice = " The app was uninstalled from the shop or its token revoked: " +
	"Stockbell reads nothing from the shop until the app is installed again, which gives it a new token."

// stopIfRefused ends a job Shopify refused, recording the refusal in the
// shop's sync log as a failed sync from source begun at started: a query
// the token's scopes do not cover (EFORBIDDEN, stockbell.RecordForbidden),
// or the token itself (EUNAUTHORIZED: the app uninstalled, or the token
// revoked). Neither is retried: the same request is refused until the
// merchant grants the scope or installs the app again, each of which
// queues a catalog sync, and the periodic stock check tries on its own
// schedule. The shop stays installed: app/uninstalled, confirmed with
// Shopify, uninstalls it. A token the shop no longer holds (installed
// again while the job read with the old one) is left to the caller, so
// the job is retried with the new one; so is any other error. It reports
// whether err was recorded.
func (in *Integration) stopIfRefused(ctx context.Context, sess *adminSession, source string, started time.Time, err error) (bool, error) {
	shop := sess.shop
	if stopped, err2 := stockbell.RecordForbidden(ctx, in.SyncLog, in.Logger, shop, source, started, in.Clock.Now(), err); stopped {
		return true, err2
	}
	if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		return false, nil
	}
	current, err2 := in.Shops.FindShopByID(ctx, shop.ID)
	switch {
	case stockbell.ErrorCode(err2) == stockbell.ENOTFOUND:
		return true, nil
	case err2 != nil:
		return true, err2
	case !current.Active():
		return true, nil // uninstalled meanwhile: nothing left to read
	case !bytes.Equal(current.SealedToken, shop.SealedToken):
		in.Logger.InfoContext(ctx, "shopify refused a token the shop no longer holds (installed again meanwhile); retried with its new one",
			"shop", shop.Domain, "source", source)
		return false, nil
	}
	in.Logger.WarnContext(ctx, "shopify refused the shop's access token", "shop", shop.Domain, "source", source, "err", err)
	report := stockbell.SyncReport{ShopID: shop.ID, Source: source, StartedAt: started, FinishedAt: in.Clock.Now(), Failure: stockbell.ErrorMessage(err) + revokedAdvice}
	return true, in.SyncLog.RecordSync(ctx, report)
}

package bigcommerce

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Sources of the hook check and of reconciliation in the sync log.
const (
	HooksSource     = "bigcommerce:hooks"
	ReconcileSource = "bigcommerce:reconcile"
)

// stopIfForbidden ends a job BigCommerce answered 403 (EFORBIDDEN): the
// store's token is accepted, so the app is still installed and stays so,
// but it lacks a scope the job needs, or the store's plan a feature. The
// failure, naming the scope and BigCommerce's reason, is recorded in the
// shop's sync log, where the admin shows it, and the job ends without
// retrying: a token's scopes are fixed when the merchant grants them, so
// the same request is refused until the merchant re-authorizes the app,
// which sends a new token through the install callback and queues the
// store's hooks and catalog sync again. The periodic jobs (reconciliation,
// the hook check) meanwhile try on their own schedule, so a plan change
// is noticed too. It reports whether err was such a refusal; other errors
// are left to the caller.
func (in *Integration) stopIfForbidden(ctx context.Context, shop *stockbell.Shop, source string, started time.Time, err error) (bool, error) {
	if stockbell.ErrorCode(err) != stockbell.EFORBIDDEN {
		return false, nil
	}
	report := stockbell.SyncReport{ShopID: shop.ID, Source: source, StartedAt: started, FinishedAt: in.Clock.Now(),
		Failure: stockbell.ErrorMessage(err)}
	in.Logger.WarnContext(ctx, "bigcommerce refused a request the token lacks the scope for", "store", shop.Domain, "source", source, "err", err)
	return true, in.SyncLog.RecordSync(ctx, report)
}

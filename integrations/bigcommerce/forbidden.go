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
// shop's sync log, and the job ends without retrying: a token's scopes
// are fixed when the merchant grants them, so the same request is
// refused until the merchant re-authorizes the app,
// which sends a new token through the install callback and queues the
// store's hooks and catalog sync again. The periodic jobs (reconciliation,
// the hook check) meanwhile try on their own schedule, so a plan change
// is noticed too. It reports whether err was such a refusal; other errors
// are left to the caller.
func (in *Integration) stopIfForbidden(ctx context.Context, shop *stockbell.Shop, source string, started time.Time, err error) (bool, error) {
	return stockbell.RecordForbidden(ctx, in.SyncLog, in.Logger, shop, source, started, in.Clock.Now(), err)
}

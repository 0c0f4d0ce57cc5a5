package magento

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// stopIfForbidden ends a job the store refused a request to that the
// integration may not make (EFORBIDDEN): a 401 naming the ACL resources
// the integration is not granted, or a 403. The integration is still
// there, so the store stays installed. The failure, naming the request
// and what to grant, is recorded in the shop's sync log, and the job
// ends without retrying: the merchant has to change
// the integration's API resources first, and the periodic jobs
// (reconciliation, the daily catalog sync) try again on their own
// schedule, so the store is read again soon after the grant (which takes
// effect at once, with the same credentials). It reports whether err was
// such a refusal; other errors are left to the caller.
func (in *Integration) stopIfForbidden(ctx context.Context, shop *stockbell.Shop, source string, started time.Time, err error) (bool, error) {
	return stockbell.RecordForbidden(ctx, in.SyncLog, in.Logger, shop, source, started, in.Clock.Now(), err)
}

// stopIfRefused ends a job the store refused: the integration revoked
// (stopIfRevoked) or a request it may not make (stopIfForbidden). It
// reports whether err was either; other errors are left to the caller.
func (in *Integration) stopIfRefused(ctx context.Context, shop *stockbell.Shop, source string, started time.Time, err error) (bool, error) {
	if stopped, err2 := in.stopIfForbidden(ctx, shop, source, started, err); stopped {
		return true, err2
	}
	return in.stopIfRevoked(ctx, shop, source, err)
}

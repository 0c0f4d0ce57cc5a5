package prestashop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	stockbell "github.com/stockbell/stockbell"
)

// stepError is a catalog sync's or a stock check's failure, with the request to the shop it
// was making, in the merchant's words ("list the shop's products").
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// untilSynced says what holds until a catalog sync succeeds.
const untilSynced = " Until a sync succeeds, the catalog keeps what the last sync and the module's posts gave it. " +
	"The sync is tried again."

// catalogFailed ends a catalog sync that failed with err in the request
// step: a refusal is recorded and not retried (failed); any other
// failure is recorded with what the shop answered and what to check, and
// returned, for the job to be retried.
func (in *Integration) catalogFailed(ctx context.Context, shop *stockbell.Shop, report stockbell.SyncReport, step string, err error) error {
	err = fmt.Errorf("catalog sync of %s: %w", shop.Domain, &stepError{step: step, err: err})
	if refusal(err) {
		return in.failed(ctx, shop, report, err)
	}
	in.Logger.WarnContext(ctx, "prestashop catalog sync failed", "shop", shop.Domain, "err", err)
	reason := requestFailure(err, step) + untilSynced
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, CatalogSource, report.StartedAt, in.Clock.Now(), reason, err)
}

// refusal reports whether failed records err and ends the job.
func refusal(err error) bool {
	return errors.Is(err, stockbell.ErrListedNothing) || isForbidden(err) || isNoWebservice(err) || isMoved(err) || isRefused(err)
}

// requestFailure is a failed run's reason in the sync log: the request
// that failed (step), what the shop answered (or that it did not), and
// what to check. It never carries the key, and is the same words each
// time the same failure is met, so that retries count on one entry.
func requestFailure(err error, step string) string {
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		answer := fmt.Sprintf("%d %s", apiErr.Status, http.StatusText(apiErr.Status))
		if apiErr.Message != "" && apiErr.Message != http.StatusText(apiErr.Status) {
			answer += ": " + apiErr.Message
		}
		if apiErr.Status >= 500 || apiErr.Status == http.StatusTooManyRequests {
			return fmt.Sprintf("The PrestaShop shop answered %s when Stockbell tried to %s, %d times. Check that the shop is up "+
				"and its webservice (/api/) answers; PrestaShop's logs (Advanced Parameters › Logs) and the web server's name "+
				"an error of its own.", answer, step, MaxAttempts)
		}
		return fmt.Sprintf("The PrestaShop shop answered %s when Stockbell tried to %s.", answer, step)
	}
	urlErr, network := errors.AsType[*url.Error](err)
	switch {
	case network && !urlErr.Timeout():
		return fmt.Sprintf("The PrestaShop shop could not be reached when Stockbell tried to %s (%v). Check that the shop's "+
			"address, as connected, is reachable from this server.", step, urlErr.Err)
	case network || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The PrestaShop shop did not answer in time when Stockbell tried to %s. Check the shop's load "+
			"and that its webservice (/api/) answers.", step)
	case stockbell.ErrorCode(err) != stockbell.EINTERNAL:
		return fmt.Sprintf("Stockbell could not %s: %s", step, stockbell.ErrorMessage(err))
	}
	return fmt.Sprintf("Stockbell could not %s because of an error of its own, not of the shop: the server's log names it.", step)
}

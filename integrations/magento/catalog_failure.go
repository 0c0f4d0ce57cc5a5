package magento

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// stepError is a catalog sync's or a stock check's failure, with the request to the store it
// was making, in the merchant's words ("read the product TEE-S").
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// untilSynced says what holds until a catalog sync succeeds.
const untilSynced = " Until a sync succeeds, the catalog keeps what the last sync and the Stockbell module's posts gave it. " +
	"The sync is tried again."

// recordCatalogFailure records in the shop's sync log a catalog sync
// begun at started that failed with err (other than a refusal, and
// before its sweep, which records its own), saying what the store
// answered and what to check, and returns err, for the job to be retried.
func (in *Integration) recordCatalogFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "magento catalog sync failed", "store", shop.Domain, "err", err)
	reason := requestFailure(err, "list the store's products") + untilSynced
	err = fmt.Errorf("catalog sync of %s: %w", shop.Domain, err)
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, CatalogSource, started, in.Clock.Now(), reason, err)
}

// requestFailure is a failed run's reason in the sync log: the request
// that failed (step, unless err names its own), what the store answered
// (or that it did not), and what to check. It never carries a token, and
// is the same words each time the same failure is met, so that retries
// count on one entry.
func requestFailure(err error, step string) string {
	if se, ok := errors.AsType[*stepError](err); ok {
		step = se.step
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok && retryable(apiErr.Status) {
		answer := fmt.Sprintf("%d %s", apiErr.Status, http.StatusText(apiErr.Status))
		if apiErr.Message != "" && apiErr.Message != http.StatusText(apiErr.Status) {
			answer += ": " + apiErr.Message
		}
		return fmt.Sprintf("The Magento store answered %s when Stockbell tried to %s, %d times. Check that the store "+
			"is up and its REST API (/rest/V1) answers; Magento's var/log/exception.log names an error of its own.",
			answer, step, maxAttempts)
	}
	urlErr, network := errors.AsType[*url.Error](err)
	switch {
	case network && !urlErr.Timeout():
		return fmt.Sprintf("The Magento store could not be reached when Stockbell tried to %s (%v). Check that the store's "+
			"address, as activated, is reachable from this server.", step, urlErr.Err)
	case network || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The Magento store did not answer in time when Stockbell tried to %s. Check the store's load "+
			"and that its REST API (/rest/V1) answers.", step)
	case stockbell.ErrorCode(err) != stockbell.EINTERNAL:
		return fmt.Sprintf("Stockbell could not %s: %s", step, stockbell.ErrorMessage(err))
	}
	return fmt.Sprintf("Stockbell could not %s because of an error of its own, not of the store: the server's log names it.", step)
}

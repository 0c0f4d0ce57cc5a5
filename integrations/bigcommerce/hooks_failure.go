package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// hookStepError is a hook check's or a catalog sync's failure, with the
// request to BigCommerce it was making, in the merchant's words ("create
// the webhook for store/product/updated").
type hookStepError struct {
	step, domain string
	err          error
}

func (e *hookStepError) Error() string { return fmt.Sprintf("%s of %s: %v", e.step, e.domain, e.err) }
func (e *hookStepError) Unwrap() error { return e.err }

// destination is where the store's hooks send their deliveries.
func (in *Integration) destination() string { return in.Config.AppURL + WebhookPath }

// recordHooksFailure records in the shop's sync log a hook check that
// failed with err (other than a 403), saying what BigCommerce answered and
// what to check, and returns err, for the job to be retried.
func (in *Integration) recordHooksFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "bigcommerce hook check failed", "store", shop.Domain, "err", err)
	reason := hooksFailure(err, in.destination())
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, HooksSource, started, in.Clock.Now(), reason, err)
}

// untilChecked says what holds until a hook check succeeds.
const untilChecked = " Until a check succeeds, a restock reaches Stockbell through the stock check of the variants shoppers " +
	"wait for, every 15 minutes, instead of at once. The check is tried again."

// hooksFailure is a failed hook check's reason in the sync log: the
// request that failed, what BigCommerce answered (or that it did not),
// and what to check. It never carries a request's address or a token,
// and is the same words each time the same failure is met, so that
// retries count on one entry.
func hooksFailure(err error, destination string) string {
	return requestFailure(err, "check the store's webhooks", destination, untilChecked)
}

// requestFailure is a failed run's reason in the sync log: the request
// that failed (step, unless err names its own), what BigCommerce answered
// (or that it did not), what to check, and then until, what holds until a
// run succeeds. destination, when not empty, is the address of the hooks
// a 400 or 422 may refuse.
func requestFailure(err error, step, destination, until string) string {
	if se, ok := errors.AsType[*hookStepError](err); ok {
		step = se.step
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		return answeredFailure(apiErr, step, destination) + until
	}
	if urlErr, ok := errors.AsType[*url.Error](err); ok && !urlErr.Timeout() {
		return fmt.Sprintf("BigCommerce's API could not be reached when Stockbell tried to %s (%v). Check that this server reaches "+
			"the API's address (STOCKBELL_BIGCOMMERCE_API_URL, %s unless set).", step, urlErr.Err, stockbell.DefaultBigCommerceAPIURL) + until
	}
	if _, ok := errors.AsType[*url.Error](err); ok || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("BigCommerce's API did not answer in time when Stockbell tried to %s. If it lasts, see "+
			"https://status.bigcommerce.com.", step) + until
	}
	if stockbell.ErrorCode(err) != stockbell.EINTERNAL {
		return fmt.Sprintf("Stockbell could not %s: %s", step, stockbell.ErrorMessage(err)) + until
	}
	return fmt.Sprintf("Stockbell could not %s because of an error of its own, not of BigCommerce: the server's log names it.", step) +
		until
}

// answeredFailure is requestFailure's reason for an answer BigCommerce
// refused the request with.
func answeredFailure(apiErr *APIError, step, destination string) string {
	answer := fmt.Sprintf("%d: %s", apiErr.Status, apiErr.Title)
	if apiErr.Details != "" {
		answer += "; " + strings.TrimSuffix(apiErr.Details, ".")
	}
	switch status := apiErr.Status; {
	case destination != "" && (status == http.StatusUnprocessableEntity || status == http.StatusBadRequest):
		return fmt.Sprintf("BigCommerce refused to %s (%s). BigCommerce sends webhooks only to an HTTPS address on port 443: "+
			"check that %s, the server's public URL (STOCKBELL_PUBLIC_URL) followed by %s, is one, reachable from the internet.",
			step, answer, destination, WebhookPath)
	case status == http.StatusUnauthorized:
		return fmt.Sprintf("BigCommerce refused the store's access token when Stockbell tried to %s (%s): the app was uninstalled "+
			"from the store or its token revoked. Installing the app again from the control panel gives Stockbell a new token.",
			step, answer)
	case status == http.StatusTooManyRequests || status >= 500:
		return fmt.Sprintf("BigCommerce's API answered %s when Stockbell tried to %s, %d times: the failure is BigCommerce's, "+
			"nothing needs changing here. If it lasts, see https://status.bigcommerce.com.", answer, step, MaxAttempts)
	}
	return fmt.Sprintf("BigCommerce answered %s when Stockbell tried to %s.", answer, step)
}

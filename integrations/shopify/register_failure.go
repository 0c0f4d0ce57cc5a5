package shopify

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

// registrationStepError is a webhook registration's or a catalog sync's
// failure, with the request to Shopify it was making, in the merchant's
// words ("subscribe the shop to products/update").
type registrationStepError struct {
	step string
	err  error
}

func (e *registrationStepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *registrationStepError) Unwrap() error { return e.err }

// userErrorAnswer is a mutation's userError: Shopify refused what the
// mutation asked, naming the input field.
type userErrorAnswer struct {
	mutation  string
	userError userError
}

func (e *userErrorAnswer) Error() string {
	return fmt.Sprintf("%s (%s)", e.userError.Message, e.field())
}

// field is the refused input field, dotted (webhookSubscription.callbackUrl).
func (e *userErrorAnswer) field() string { return strings.Join(e.userError.Field, ".") }

// aboutAddress reports whether the refusal is of the subscription's
// address (Shopify's messages about it begin "Address").
func (e *userErrorAnswer) aboutAddress() bool {
	field := e.field()
	return strings.HasSuffix(field, "callbackUrl") || strings.HasSuffix(field, "uri") || strings.HasPrefix(e.userError.Message, "Address")
}

// webhookAddress is where the shop's webhook subscriptions send their
// deliveries: this server's webhook URL.
func (in *Integration) webhookAddress() string { return in.Config.AppURL + WebhookPath }

// recordRegistrationFailure records in the shop's sync log a webhook
// registration that failed with err (other than a refusal), saying what
// Shopify answered and what to check, and returns err, for the job to be
// retried.
func (in *Integration) recordRegistrationFailure(ctx context.Context, shop *stockbell.Shop, started time.Time, err error) error {
	in.Logger.WarnContext(ctx, "shopify webhook registration failed", "shop", shop.Domain, "err", err)
	reason := registrationFailure(err, in.webhookAddress())
	return stockbell.RecordRunFailure(ctx, in.SyncLog, shop.ID, WebhooksSource, started, in.Clock.Now(), reason, err)
}

// untilRegistered says what holds until a registration succeeds.
const untilRegistered = " Until a registration succeeds, a restock reaches Stockbell through the stock check of the variants " +
	"shoppers wait for, every 15 minutes, instead of at once. The registration is tried again."

// registrationFailure is a failed webhook registration's reason in the
// sync log: the request that failed, what Shopify answered (or that it
// did not), and what to check. It never carries a token, and is the
// same words each time the same failure is met, so that retries count on
// one entry.
func registrationFailure(err error, address string) string {
	return requestFailure(err, "register the shop's webhooks", address, untilRegistered)
}

// requestFailure is a failed run's reason in the sync log: the request
// that failed (step, unless err names its own), what Shopify answered (or
// that it did not), what to check, and then until, what holds until a run
// succeeds. address is where the shop's webhooks are delivered, which a
// userError may refuse.
func requestFailure(err error, step, address, until string) string {
	if se, ok := errors.AsType[*registrationStepError](err); ok {
		step = se.step
	}
	if ue, ok := errors.AsType[*userErrorAnswer](err); ok {
		return userErrorFailure(ue, step, address) + until
	}
	if answer, ok := errors.AsType[*answerError](err); ok {
		return answerFailure(answer, step) + until
	}
	if errors.Is(err, errThrottled) {
		return fmt.Sprintf("Shopify kept throttling the Admin API's requests when Stockbell tried to %s: the shop's rate limit "+
			"is spent, often by other apps.", step) + until
	}
	return unansweredFailure(err, step) + until
}

// userErrorFailure is requestFailure's reason for a mutation's
// userError.
func userErrorFailure(ue *userErrorAnswer, step, address string) string {
	reason := fmt.Sprintf("Shopify refused to %s: %s answered %q on %s.", step, ue.mutation, ue.userError.Message, ue.field())
	if ue.aboutAddress() {
		reason += fmt.Sprintf(" Shopify delivers webhooks only to a public HTTPS address: check that %s, the server's public URL "+
			"(STOCKBELL_PUBLIC_URL) followed by %s, is one, reachable from the internet.", address, WebhookPath)
	}
	return reason
}

// answerFailure is requestFailure's reason for an Admin API answer
// that failed the query.
func answerFailure(answer *answerError, step string) string {
	if answer.Status >= 500 {
		return fmt.Sprintf("Shopify's Admin API answered %d %s when Stockbell tried to %s, each time it was asked: the failure "+
			"is Shopify's, nothing needs changing here. If it lasts, see https://www.shopifystatus.com.",
			answer.Status, http.StatusText(answer.Status), step)
	}
	switch answer.Status {
	case http.StatusOK:
		return fmt.Sprintf("Shopify answered %q when Stockbell tried to %s.", answer.Answer, step)
	case http.StatusPaymentRequired:
		return fmt.Sprintf("Shopify's Admin API answered 402 Payment Required when Stockbell tried to %s: Shopify froze the shop "+
			"until its owner pays the outstanding balance in the shop's admin.", step)
	case http.StatusLocked:
		return fmt.Sprintf("Shopify's Admin API answered 423 Locked when Stockbell tried to %s: Shopify locked the shop; its "+
			"owner sees why in the shop's admin.", step)
	}
	return fmt.Sprintf("Shopify's Admin API answered %d %s when Stockbell tried to %s.", answer.Status,
		http.StatusText(answer.Status), step)
}

// unansweredFailure is requestFailure's reason when Shopify gave no
// answer, or the failure was Stockbell's own.
func unansweredFailure(err error, step string) string {
	urlErr, network := errors.AsType[*url.Error](err)
	switch {
	case network && !urlErr.Timeout():
		return fmt.Sprintf("Shopify's Admin API could not be reached when Stockbell tried to %s (%v). Check that this server "+
			"reaches the shop's admin (STOCKBELL_SHOPIFY_ADMIN_URL, https://{shop} unless set).", step, urlErr.Err)
	case network || errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("Shopify's Admin API did not answer in time when Stockbell tried to %s. If it lasts, see "+
			"https://www.shopifystatus.com.", step)
	case stockbell.ErrorCode(err) != stockbell.EINTERNAL:
		return fmt.Sprintf("Stockbell could not %s: %s", step, stockbell.ErrorMessage(err))
	}
	return fmt.Sprintf("Stockbell could not %s because of an error of its own, not of Shopify: the server's log names it.", step)
}

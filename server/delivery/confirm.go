package delivery

import (
	"context"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// Confirmations is double opt-in: the job that sends a confirmation
// request (a text or an email with a signed link), the page behind that
// link (/confirm/{token}, served by the web layer: GET shows it, POST
// confirms, so a link scanner that follows links confirms nothing) and
// SMS replies (YES confirms).
type Confirmations struct {
	Store  stockbell.ConfirmationService
	Sender stockbell.Sender
	Links  *Links
	Clock  stockbell.Clock
	Logger *slog.Logger
	// Metrics counts requests and confirmations (nil: not counted).
	Metrics stockbell.ConfirmationMetrics
}

// HandleSendConfirmation sends a confirmation request once. A request
// already sent, recorded as not sent, or of a subscription that no longer
// waits for it, is not sent; a permanent refusal (a number the provider
// will not text), or a failure on the job's last attempt, is recorded as
// not sent (see sendFailed); a transient failure before that is retried
// by the queue. The sent mark is tried again after a failure
// (stockbell.RecordSent); as with flow messages, a crash between the
// provider accepting the request and that mark committing, or a database
// lost for longer, sends it again.
func (c *Confirmations) HandleSendConfirmation(ctx context.Context, job stockbell.SendConfirmationJob) error {
	req, err := c.Store.FindConfirmationRequest(ctx, job.ShopID, job.ConfirmationID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // erased with its subscription
	} else if err != nil {
		return err
	}
	if !stillWanted(req) {
		return nil
	}
	conf := req.Confirmation
	token := c.Links.Signer.ConfirmationToken(ConfirmationToken{ConfirmationID: conf.ID, ShopID: conf.ShopID,
		Expires: c.Clock.Now().Add(stockbell.ConfirmationLinkValidity)})
	out, consent := confirmationMessage(req, c.Links.ConfirmURL(token))
	if _, err := c.Sender.Send(ctx, out); err != nil {
		return c.sendFailed(ctx, &conf, err)
	}
	if c.Metrics != nil {
		c.Metrics.ConfirmationRequested(conf.Channel)
	}
	// Tried again after a failure, as a flow message's outcome is: a
	// record given up on sends the request again when the job is retried.
	return stockbell.RecordSent(func() error {
		return c.Store.MarkConfirmationSent(context.WithoutCancel(ctx), conf.ShopID, conf.ID, consent)
	})
}

// sendFailed handles a request the provider did not take. One refused for
// good (EINVALID), or still failing on the job's last attempt
// (stockbell.ConfirmationMaxAttempts), after which the queue gives the job
// up, is recorded as not sent, with why, for the merchant's subscriber
// page; the job then ends. Another failure is returned for the queue to
// retry the job; so is a send cut short because the process is stopping
// (stockbell.JobStopped), on any attempt: it did not fail, and the queue
// runs the job again without counting the attempt.
func (c *Confirmations) sendFailed(ctx context.Context, conf *stockbell.Confirmation, err error) error {
	attempt := stockbell.JobAttempt(ctx)
	reason := stockbell.ErrorMessage(err)
	switch {
	case stockbell.ErrorCode(err) == stockbell.EINVALID:
	case attempt >= stockbell.ConfirmationMaxAttempts && !stockbell.JobStopped(ctx):
		reason = fmt.Sprintf("given up after %d attempts: %v", attempt, err)
	default:
		return fmt.Errorf("send confirmation %d: %w", conf.ID, err)
	}
	c.logger().Warn("confirmation request not sent, for good", "confirmation", conf.ID, "channel", conf.Channel,
		"attempt", attempt, "err", err)
	return stockbell.RecordSent(func() error {
		return c.Store.MarkConfirmationFailed(context.WithoutCancel(ctx), conf.ShopID, conf.ID, reason)
	})
}

// stillWanted reports whether a confirmation request is still to be sent:
// one that could not be sent is sent again only once it is queued again
// (which clears its failure).
func stillWanted(req *stockbell.ConfirmationRequest) bool {
	conf := &req.Confirmation
	return conf.SentAt == nil && conf.ConfirmedAt == nil && conf.FailedAt == nil &&
		stockbell.ConfirmationClosed(&req.Subscription, &req.Shop, conf.Channel) == stockbell.ConfirmationOpen
}

// Page returns what the confirmation link's page shows. Returns
// EUNAUTHORIZED for a token that is not valid or expired, ENOTFOUND for a
// confirmation gone since (or of another shop).
func (c *Confirmations) Page(ctx context.Context, token string) (*stockbell.ConfirmationPage, error) {
	t, err := c.Links.Signer.ParseConfirmationToken(token, c.Clock.Now())
	if err != nil {
		return nil, err
	}
	req, err := c.Store.FindConfirmationRequest(ctx, t.ShopID, t.ConfirmationID)
	if err != nil {
		return nil, err
	}
	return pageOf(req), nil
}

// Confirm confirms the link's channel (the page's button) and returns the
// page as it is now. Confirming twice is harmless; a confirmation that can
// no longer be given (stockbell.ConfirmationClosed) is not, and the page
// says why, also when what closed it (a removal, a STOP) lands between the
// page's read and the confirmation: the store's ECONFLICT, after which the
// page is read again.
func (c *Confirmations) Confirm(ctx context.Context, token string) (*stockbell.ConfirmationPage, error) {
	page, err := c.Page(ctx, token)
	if err != nil || page.Confirmed || page.Closed != stockbell.ConfirmationOpen {
		return page, err
	}
	t, _ := c.Links.Signer.ParseConfirmationToken(token, c.Clock.Now())
	_, err = c.Store.Confirm(ctx, t.ShopID, t.ConfirmationID, stockbell.ConfirmedByLink)
	if stockbell.ErrorCode(err) == stockbell.ECONFLICT {
		return c.Page(ctx, token)
	} else if err != nil {
		return nil, err
	}
	if c.Metrics != nil {
		c.Metrics.Confirmed(page.Channel, stockbell.ConfirmedByLink)
	}
	page.Confirmed = true
	return page, nil
}

// Reply handles an SMS reply from a phone number: YES (see IsYes)
// confirms the number's open text confirmations; STOP (see IsStop) takes
// the number off every subscription that may still text it and skips its
// texts not yet sent (see stockbell.ConfirmationService.StopSMS). It returns how many subscriptions changed.
func (c *Confirmations) Reply(ctx context.Context, from, body string) (int, error) {
	if IsStop(body) {
		return c.Store.StopSMS(ctx, from)
	}
	if !IsYes(body) {
		return 0, nil
	}
	n, err := c.Store.ConfirmReply(ctx, from)
	for range n {
		if c.Metrics != nil {
			c.Metrics.Confirmed(stockbell.ChannelSMS, stockbell.ConfirmedByReply)
		}
	}
	return n, err
}

func pageOf(req *stockbell.ConfirmationRequest) *stockbell.ConfirmationPage {
	conf := req.Confirmation
	closed := stockbell.ConfirmationClosed(&req.Subscription, &req.Shop, conf.Channel)
	if conf.ConfirmedAt != nil && closed == stockbell.ClosedNotWaiting {
		closed = stockbell.ConfirmationOpen // confirmed, and since notified or in its batch
	}
	return &stockbell.ConfirmationPage{Language: Language(req.Subscription.Locale), Shop: shopName(&req.Shop),
		Product: itemName(&req.Variant), Channel: conf.Channel, Contact: conf.Recipient,
		ConsentText: conf.ConsentText, Confirmed: conf.ConfirmedAt != nil, Closed: closed, InStock: req.Variant.Purchasable()}
}

func (c *Confirmations) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

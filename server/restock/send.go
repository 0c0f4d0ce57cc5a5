package restock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultSendLease is how long one send attempt holds its message: longer
// than the send job's timeout (server/jobs.JobTimeout, 20 s), which cancels
// a slow attempt first, and shorter than the time after which the queue
// rescues the job of a process that died (server/jobs.RescueStuckJobsAfter,
// 30 s), so the rescued retry finds the lease over and sends at once.
const DefaultSendLease = 25 * time.Second

// Messenger sends flow messages, one job per message. Nothing the database
// knows was sent is sent again: an attempt is counted and the message
// leased before the provider is called, and the message is marked sent
// after. The one window left is a crash between the provider accepting the
// message and the sent mark committing: the retry sends again (at least
// once), with the message id as OutboundMessage.MessageID so that a provider
// that deduplicates by it can drop the copy. The same holds for a send whose
// connection failed after the message was handed over (the error wraps
// stockbell.ErrOutcomeUnknown). Such a resend is counted
// (MessageMetrics.MessageResumed) and recorded on the message's event.
type Messenger struct {
	Store    stockbell.MessageStore
	Renderer stockbell.Renderer
	Sender   stockbell.Sender
	Clock    stockbell.Clock
	// Lease bounds one attempt (DefaultSendLease if 0); keep it above the
	// send job's timeout so a slow attempt is never overtaken by a retry.
	Lease   time.Duration
	Logger  *slog.Logger
	Metrics stockbell.MessageMetrics
}

// HandleSendMessage sends, skips or fails one message. It returns an error
// for a transient failure, which the queue retries with backoff, and a
// *stockbell.RetryLaterError while another attempt holds the message.
func (m *Messenger) HandleSendMessage(ctx context.Context, job stockbell.SendMessageJob) error {
	shopID, err := stockbell.JobShop(ctx, m.Store, job.ShopID, stockbell.JobRowMessage, job.MessageID)
	var d *stockbell.MessageDelivery
	if err == nil {
		d, err = m.Store.FindMessageDelivery(ctx, shopID, job.MessageID)
	}
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // erased with its subscription
	} else if err != nil {
		return err
	}
	if d.Message.Status != stockbell.MessagePending {
		return nil // already sent, failed or skipped: never twice
	}
	now := m.Clock.Now().UTC()
	if reason, stop := SkipMessage(d, now); reason != "" {
		return m.finish(ctx, stockbell.MessageResult{ShopID: shopID, MessageID: job.MessageID, Status: stockbell.MessageSkipped,
			Reason: string(reason), StopFlow: stop})
	}
	outcome, heldUntil, err := m.Store.BeginAttempt(ctx, shopID, job.MessageID, now.Add(m.lease()))
	switch {
	case err != nil:
		return err
	case outcome == stockbell.AttemptDone:
		return nil
	case outcome == stockbell.AttemptLeased:
		return &stockbell.RetryLaterError{At: heldUntil, Reason: fmt.Sprintf("message %d is being sent by another attempt", job.MessageID)}
	case outcome == stockbell.AttemptResumed:
		m.metrics().MessageResumed(d.Message.Channel)
		m.logger().Warn("sending a message again after an attempt whose outcome is unknown", "message", job.MessageID, "channel", d.Message.Channel)
	}
	return m.send(ctx, d, outcome == stockbell.AttemptResumed)
}

// SkipMessage says whether a pending message must not be sent at now, and
// whether the subscriber's later steps are dropped with it.
func SkipMessage(d *stockbell.MessageDelivery, now time.Time) (reason stockbell.SkipReason, stopFlow bool) {
	switch {
	case !d.StepFound:
		return stockbell.SkipStepRemoved, true
	case !d.Shop.Active():
		return stockbell.SkipShopUninstalled, true
	case d.Subscription.Status == stockbell.SubscriptionUnsubscribed:
		return stockbell.SkipUnsubscribed, true
	case d.Subscription.Status != stockbell.SubscriptionNotified:
		return stockbell.SkipSubscriptionGone, true
	case d.Variant.Deleted:
		return stockbell.SkipProductDeleted, true
	case !d.Variant.Published:
		return stockbell.SkipProductHidden, true
	case d.Step.SkipIfOutOfStock && !d.Variant.Purchasable():
		return stockbell.SkipOutOfStockAgain, false
	case smartSendingBlocks(d, now):
		return stockbell.SkipSmartSending, false
	}
	return "", false
}

// smartSendingBlocks reports whether the recipient was messaged within the
// step's smart-sending window.
func smartSendingBlocks(d *stockbell.MessageDelivery, now time.Time) bool {
	hours := d.Step.SmartSendingHours
	if hours <= 0 || d.LastSentToRecipient == nil {
		return false
	}
	return now.Sub(*d.LastSentToRecipient) < time.Duration(hours)*time.Hour
}

// send renders and delivers a leased message and records the outcome.
func (m *Messenger) send(ctx context.Context, d *stockbell.MessageDelivery, resumed bool) error {
	id, shopID, channel := d.Message.ID, d.Message.ShopID, d.Message.Channel
	out, err := m.Renderer.Render(ctx, stockbell.MessageContent{Shop: &d.Shop, Variant: &d.Variant,
		Subscription: &d.Subscription, Message: &d.Message, Step: d.Step})
	if err == nil {
		out.MessageID, out.Channel, out.To = id, channel, d.Message.Recipient
		start := time.Now()
		var res stockbell.SendResult
		res, err = m.Sender.Send(ctx, out)
		if err == nil {
			// The at-least-once window: from the provider's acceptance until
			// this one transaction commits.
			err = m.finish(ctx, stockbell.MessageResult{ShopID: shopID, MessageID: id, Status: stockbell.MessageSent,
				ProviderID: res.ProviderID, Segments: res.Segments, Resumed: resumed})
			m.metrics().MessageSent(channel, time.Since(start))
			return err
		}
	}
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		m.metrics().MessageFailed(channel)
		return m.finish(ctx, stockbell.MessageResult{ShopID: shopID, MessageID: id, Status: stockbell.MessageFailed,
			Reason: stockbell.ErrorMessage(err), Resumed: resumed})
	}
	m.metrics().MessageRetried(channel)
	unknown := errors.Is(err, stockbell.ErrOutcomeUnknown)
	if relErr := m.Store.ReleaseAttempt(context.WithoutCancel(ctx), shopID, id, err.Error(), unknown); relErr != nil {
		m.logger().Error("release message lease", "message", id, "err", relErr)
	}
	return fmt.Errorf("send message %d: %w", id, err)
}

func (m *Messenger) finish(ctx context.Context, r stockbell.MessageResult) error {
	// The provider may have accepted the message: record it even if the job's
	// context was cancelled meanwhile.
	_, err := m.Store.FinishMessage(context.WithoutCancel(ctx), r)
	return err
}

func (m *Messenger) lease() time.Duration {
	if m.Lease <= 0 {
		return DefaultSendLease
	}
	return m.Lease
}

func (m *Messenger) logger() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}

func (m *Messenger) metrics() stockbell.MessageMetrics {
	if m.Metrics == nil {
		return noMetrics{}
	}
	return m.Metrics
}

// noMetrics reports nothing.
type noMetrics struct{}

func (noMetrics) MessageSent(stockbell.Channel, time.Duration) {}
func (noMetrics) MessageFailed(stockbell.Channel)              {}
func (noMetrics) MessageRetried(stockbell.Channel)             {}
func (noMetrics) MessageResumed(stockbell.Channel)             {}
func (noMetrics) BatchStarted()                                {}

package restock

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultSendLease is how long one send attempt holds its message.
const DefaultSendLease = 2 * time.Minute

// Messenger sends flow messages, one job per message. Nothing the database
// knows was sent is sent again: an attempt is counted and the message
// leased before the provider is called, and the message is marked sent
// after. The one window left is a crash between the provider accepting the
// message and the sent mark committing: the retry sends again (at least
// once), with the message id as OutboundMessage.MessageID so that a provider
// that deduplicates by it can drop the copy.
type Messenger struct {
	Store    stockbell.MessageStore
	Renderer stockbell.Renderer
	Sender   stockbell.Sender
	Clock    stockbell.Clock
	// Lease bounds one attempt (DefaultSendLease if 0); keep it at least the
	// job timeout so a slow attempt is never overtaken by a retry.
	Lease  time.Duration
	Logger *slog.Logger
}

// HandleSendMessage sends, skips or fails one message. It returns an error
// only for a transient failure, which the queue retries with backoff.
func (m *Messenger) HandleSendMessage(ctx context.Context, job stockbell.SendMessageJob) error {
	d, err := m.Store.FindMessageDelivery(ctx, job.MessageID)
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
		return m.finish(ctx, stockbell.MessageResult{MessageID: job.MessageID, Status: stockbell.MessageSkipped, Reason: string(reason), StopFlow: stop})
	}
	outcome, err := m.Store.BeginAttempt(ctx, job.MessageID, now.Add(m.lease()))
	switch {
	case err != nil:
		return err
	case outcome == stockbell.AttemptDone:
		return nil
	case outcome == stockbell.AttemptLeased:
		return fmt.Errorf("message %d is being sent by another attempt", job.MessageID)
	}
	return m.send(ctx, d)
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
func (m *Messenger) send(ctx context.Context, d *stockbell.MessageDelivery) error {
	id := d.Message.ID
	out, err := m.Renderer.Render(ctx, stockbell.MessageContent{Shop: &d.Shop, Variant: &d.Variant,
		Subscription: &d.Subscription, Message: &d.Message, Step: d.Step})
	if err == nil {
		out.MessageID, out.Channel, out.To = id, d.Message.Channel, d.Message.Recipient
		var res stockbell.SendResult
		res, err = m.Sender.Send(ctx, out)
		if err == nil {
			return m.finish(ctx, stockbell.MessageResult{MessageID: id, Status: stockbell.MessageSent,
				ProviderID: res.ProviderID, Segments: res.Segments})
		}
	}
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		return m.finish(ctx, stockbell.MessageResult{MessageID: id, Status: stockbell.MessageFailed, Reason: stockbell.ErrorMessage(err)})
	}
	if relErr := m.Store.ReleaseAttempt(context.WithoutCancel(ctx), id, err.Error()); relErr != nil {
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

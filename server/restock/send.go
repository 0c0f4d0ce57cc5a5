package restock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultSendLease is how long one send attempt holds its message: longer
// than the send job's timeout (server/jobs.JobTimeout, 20 s), which cancels
// a slow attempt first, and shorter than the time after which the queue
// rescues the job of a process that died (server/jobs.RescueStuckJobsAfter,
// 30 s), so the rescued retry finds the lease over and sends at once.
const DefaultSendLease = 25 * time.Second

// DefaultSendBudget is how long one send job starts new sends before it
// puts the rest of its messages off to a fresh run: well inside the job's
// timeout (server/jobs.JobTimeout, 20 s), so that a slow provider or a low
// rate limit never has a job cancelled in the middle of its messages.
const DefaultSendBudget = 10 * time.Second

// Messenger sends flow messages, a job's messages one after another (the
// sender keeps its connections open between them). Nothing the database
// knows was sent is sent again: an attempt is counted and the message
// leased before the provider is called, and the message is marked sent in
// the same transaction that leases the next one, so a worker holds one
// lease at a time. The one window left is a crash between the provider
// accepting the message and that transaction committing: the retry sends
// again (at least once), with the message id as OutboundMessage.MessageID
// so that a provider that deduplicates by it can drop the copy. The same
// holds for a send whose connection failed after the message was handed
// over (the error wraps stockbell.ErrOutcomeUnknown). Such a resend is
// counted (MessageMetrics.MessageResumed) and recorded on the message's
// event.
type Messenger struct {
	Store    stockbell.MessageStore
	Renderer stockbell.Renderer
	Sender   stockbell.Sender
	Clock    stockbell.Clock
	// Lease bounds one attempt (DefaultSendLease if 0); keep it above the
	// send job's timeout so a slow attempt is never overtaken by a retry.
	Lease time.Duration
	// Budget is how long a job starts new sends (DefaultSendBudget if 0).
	Budget  time.Duration
	Logger  *slog.Logger
	Metrics stockbell.MessageMetrics
}

// HandleSendMessage sends, skips or fails a job's messages in turn, those
// tried before last. At the first transient failure it stops and returns
// the error, which the queue retries with backoff (the messages already
// sent stay sent), except on the job's last attempt
// (stockbell.SendMaxAttempts): there every message is tried, and each
// refused for now is recorded failed. It returns a
// *stockbell.RetryLaterError when another attempt holds one of the
// messages, when the job's budget ran out before its last message, or when
// its last attempt was cancelled before it tried them all.
func (m *Messenger) HandleSendMessage(ctx context.Context, job stockbell.SendMessageJob) error {
	ids := job.IDs()
	if len(ids) == 0 {
		return nil
	}
	shopID, err := stockbell.JobShop(ctx, m.Store, job.ShopID, stockbell.JobRowMessage, ids[0])
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // erased with its subscription
	} else if err != nil {
		return err
	}
	// One read for all: a job's messages are one chunk's of one variant,
	// each to a different recipient, so what smart sending reads here
	// stays true while the job sends, but for other jobs' messages to the
	// same recipients, which the lease of each message with smart sending
	// on checks (stockbell.SendStep.SmartSendingSince). The flow read with
	// them also says which outcomes end a subscriber's flow
	// (MessageDelivery.LastStep), so recording those does not read the
	// flow again.
	deliveries, err := m.Store.FindMessageDeliveries(ctx, shopID, ids)
	if err != nil {
		return err
	}
	// Messages an earlier run failed to send go last, so that one
	// recipient refused for now does not hold back the others.
	slices.SortStableFunc(deliveries, func(a, b *stockbell.MessageDelivery) int { return a.Message.Attempts - b.Message.Attempts })
	run := &sendRun{Messenger: m, shopID: shopID, started: time.Now(),
		lastAttempt: stockbell.JobAttempt(ctx) >= stockbell.SendMaxAttempts}
	return run.sendAll(ctx, deliveries)
}

// sendRun is one job's pass over its messages.
type sendRun struct {
	*Messenger
	shopID  int64
	started time.Time
	// lastAttempt is set on the job's last attempt, after which the queue
	// gives it up: a message refused for now is failed, not left pending.
	lastAttempt bool
	// step holds the outcomes not yet recorded; they are recorded with the
	// next lease, or at the end.
	step    stockbell.SendStep
	retryAt time.Time
	// quietUntil is when the first of the texts held for their
	// recipients' quiet hours may go: the next run sends it and holds the
	// others again, as does a run put off sooner for another reason.
	quietUntil time.Time
	// attempt numbers the attempt on the message the run holds leased:
	// its outcome or release names it, so that it is recorded only while
	// the run still holds the lease (see stockbell.MessageResult.Attempt).
	attempt int
	// attempts counts the leases this run asked for: every run makes at
	// least one, however small the budget.
	attempts int
}

func (r *sendRun) sendAll(ctx context.Context, deliveries []*stockbell.MessageDelivery) error {
	var sendErr error
	for _, d := range deliveries {
		if sendErr = r.sendOne(ctx, d); sendErr != nil {
			break
		}
	}
	// A sent message's outcome is recorded even if the job's context was
	// cancelled meanwhile.
	if err := r.record(ctx); err != nil {
		return err
	}
	if sendErr != nil {
		return sendErr
	}
	if at := r.nextRun(); !at.IsZero() {
		return &stockbell.RetryLaterError{At: at, Reason: "messages held by another attempt or in their recipients' quiet hours, the job's send budget used, or its last attempt cancelled"}
	}
	return nil
}

// sendOne skips, or leases and sends, one message. It returns an error
// only for a transient failure before the job's last attempt, or a store
// error, either of which ends the run.
func (r *sendRun) sendOne(ctx context.Context, d *stockbell.MessageDelivery) error {
	if d.Message.Status != stockbell.MessagePending {
		return nil // already sent, failed or skipped: never twice
	}
	now := r.Clock.Now().UTC()
	id := d.Message.ID
	if reason, stop := SkipMessage(d, now); reason != "" {
		r.skip(d, reason, stop)
		return nil
	}
	if r.holdForQuietHours(d, now) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		if r.lastAttempt {
			r.putOff(d, now, stockbell.PutOffJobCancelled) // a snooze is not an attempt: the rest go to a fresh run
			return nil
		}
		return err
	}
	if r.attempts > 0 && time.Since(r.started) > r.budget() {
		r.putOff(d, now, stockbell.PutOffSendBudgetUsed) // the rest goes to a fresh run of the job
		return nil
	}
	r.attempts++
	res, err := r.advanceTo(ctx, id, now.Add(r.lease()), smartSendingSince(d, now))
	r.attempt = res.Attempt
	switch {
	case err != nil:
		return err
	case res.Outcome == stockbell.AttemptDone:
		return nil
	case res.Outcome == stockbell.AttemptLeased:
		// Held by another attempt, or, with smart sending, another message
		// to the recipient is being sent: the next run reads it again.
		r.putOff(d, res.HeldUntil, heldBy(res))
		return nil
	case res.Outcome == stockbell.AttemptSmartSending:
		r.skip(d, stockbell.SkipSmartSending, false) // sent something else since the job read it
		return nil
	case res.Outcome == stockbell.AttemptShopUninstalled:
		d.Shop.Status = stockbell.ShopUninstalled // since the job read it
		r.skip(d, stockbell.SkipShopUninstalled, true)
		return nil
	case res.Outcome == stockbell.AttemptSubscriptionLeft, res.Outcome == stockbell.AttemptChannelLeft:
		// It left, or the text's number replied STOP, since the job read it.
		d.Subscription.Status, d.Subscription.Channels = res.SubscriptionStatus, res.SubscriptionChannels
		reason, stop := SkipMessage(d, now)
		r.skip(d, reason, stop)
		return nil
	case res.Outcome == stockbell.AttemptResumed:
		r.metrics().MessageResumed(d.Message.Channel)
		r.logger().Warn("sending a message again after an attempt whose outcome is unknown", "shop", d.Shop.ID, "message", id, "channel", d.Message.Channel)
	}
	if res.Channel != d.Message.Channel {
		return r.sendMoved(ctx, d, now, res.Outcome == stockbell.AttemptResumed)
	}
	return r.send(ctx, d, res.Outcome == stockbell.AttemptResumed)
}

// sendMoved sends a leased message that was moved to another channel
// since the job read it (STOP moves a text alert of a shopper who keeps an
// email to the email) as it now stands: read again, and decided again.
// A read that fails lets the lease go and ends the run, for the retry.
func (r *sendRun) sendMoved(ctx context.Context, d *stockbell.MessageDelivery, now time.Time, resumed bool) error {
	moved, err := r.Store.FindMessageDelivery(ctx, r.shopID, d.Message.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil // erased with its subscription
	} else if err != nil {
		r.step.Released = append(r.step.Released, stockbell.AttemptRelease{MessageID: d.Message.ID, Reason: err.Error(), Attempt: r.attempt})
		return err
	}
	if reason, stop := SkipMessage(moved, now); reason != "" {
		r.skip(moved, reason, stop)
		return nil
	}
	return r.send(ctx, moved, resumed)
}

// skip records that a message is not sent, for the reason SkipMessage
// gave; an alert skipped as sold out puts its subscriber back in the queue.
func (r *sendRun) skip(d *stockbell.MessageDelivery, reason stockbell.SkipReason, stopFlow bool) {
	r.metrics().MessageSkipped(d.Message.Channel, reason)
	requeue := stockbell.RequeuesAfter(d.Message.Step, reason)
	r.step.Finished = append(r.step.Finished, stockbell.MessageResult{ShopID: r.shopID, MessageID: d.Message.ID,
		Status: stockbell.MessageSkipped, Reason: string(reason), StopFlow: stopFlow || d.LastStep || requeue, Requeue: requeue})
}

// nextRun is when the job runs again for the messages it put off, or zero
// if it put none off: the earliest reason wins, so that a text held until
// morning never holds back the email put off behind it.
func (r *sendRun) nextRun() time.Time {
	if r.retryAt.IsZero() || (!r.quietUntil.IsZero() && r.quietUntil.Before(r.retryAt)) {
		return r.quietUntil
	}
	return r.retryAt
}

// putOff leaves a message for a later run of the job, counted for reason.
func (r *sendRun) putOff(d *stockbell.MessageDelivery, at time.Time, reason stockbell.PutOffReason) {
	r.metrics().MessagePutOff(d.Message.Channel, reason)
	r.runAgainAt(at)
}

// runAgainAt asks for the job to run again at the latest of the times
// given.
func (r *sendRun) runAgainAt(at time.Time) {
	if at.After(r.retryAt) {
		r.retryAt = at
	}
}

// heldBy is the put-off reason of a lease refused as held (AttemptLeased).
func heldBy(res stockbell.SendStepResult) stockbell.PutOffReason {
	if res.HeldForRecipient {
		return stockbell.PutOffSmartSending
	}
	return stockbell.PutOffHeldByAnotherAttempt
}

// advanceTo records the outcomes so far and leases the message next. When
// that fails, the outcomes are kept (without the lease) for record to try
// again as the run ends: a sent message whose outcome is lost is sent once
// more when its lease runs out.
func (r *sendRun) advanceTo(ctx context.Context, next int64, leaseUntil, smartSince time.Time) (stockbell.SendStepResult, error) {
	r.step.Begin, r.step.LeaseUntil, r.step.SmartSendingSince = next, leaseUntil, smartSince
	res, err := r.Store.AdvanceSend(context.WithoutCancel(ctx), r.shopID, r.step)
	if err != nil {
		r.step.Begin, r.step.LeaseUntil, r.step.SmartSendingSince = 0, time.Time{}, time.Time{}
		return res, err
	}
	r.step = stockbell.SendStep{}
	return res, nil
}

// record records the outcomes not yet recorded, trying again after a
// failure as stockbell.RecordSent does (an outcome recorded already is not
// recorded twice).
func (r *sendRun) record(ctx context.Context) error {
	return stockbell.RecordSent(func() error {
		if len(r.step.Finished) == 0 && len(r.step.Released) == 0 {
			return nil
		}
		_, err := r.advanceTo(ctx, 0, time.Time{}, time.Time{})
		return err
	})
}

// send renders and delivers a leased message; its outcome is recorded by
// the next step. A transient failure is handled by failedForNow.
func (r *sendRun) send(ctx context.Context, d *stockbell.MessageDelivery, resumed bool) error {
	id, channel := d.Message.ID, d.Message.Channel
	out, err := r.Renderer.Render(ctx, stockbell.MessageContent{Shop: &d.Shop, Variant: &d.Variant,
		Subscription: &d.Subscription, Message: &d.Message, Step: d.Step})
	if err == nil {
		out.MessageID, out.Channel, out.To = id, channel, d.Message.Recipient
		start := time.Now()
		var res stockbell.SendResult
		if res, err = r.Sender.Send(ctx, out); err == nil {
			// The at-least-once window: from the provider's acceptance until
			// the next step's transaction commits.
			r.step.Finished = append(r.step.Finished, stockbell.MessageResult{ShopID: r.shopID, MessageID: id, Status: stockbell.MessageSent,
				ProviderID: res.ProviderID, Segments: res.Segments, Resumed: resumed, StopFlow: d.LastStep, Attempt: r.attempt})
			r.metrics().MessageSent(channel, time.Since(start))
			return nil
		}
	}
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		r.fail(d, stockbell.ErrorMessage(err), resumed)
		return nil
	}
	return r.failedForNow(ctx, d, resumed, err)
}

// fail records a leased message failed, for good.
func (r *sendRun) fail(d *stockbell.MessageDelivery, reason string, resumed bool) {
	r.metrics().MessageFailed(d.Message.Channel)
	r.step.Finished = append(r.step.Finished, stockbell.MessageResult{ShopID: r.shopID, MessageID: d.Message.ID, Status: stockbell.MessageFailed,
		Reason: reason, Resumed: resumed, StopFlow: d.LastStep, Attempt: r.attempt})
}

// failedForNow handles a send that failed transiently. Before the job's
// last attempt it releases the lease and returns the error, for the queue
// to retry the job. On the last attempt it fails the message, so that the
// run goes on with the others; unless the job was cancelled (its process
// stopping) rather than the provider refusing, when the message is
// released and the run put off to a fresh one, still on its last attempt.
// A provider that hangs until the job's timeout is given up on.
func (r *sendRun) failedForNow(ctx context.Context, d *stockbell.MessageDelivery, resumed bool, err error) error {
	id, channel := d.Message.ID, d.Message.Channel
	if r.lastAttempt && !stockbell.JobStopped(ctx) {
		attempts := d.Message.Attempts + 1 // with this run's
		r.logger().Warn("message given up on its send job's last attempt", "shop", d.Shop.ID, "message", id, "channel", channel,
			"attempts", attempts, "error", err)
		r.fail(d, givenUp(attempts, err), resumed)
		return nil
	}
	r.metrics().MessageRetried(channel)
	r.step.Released = append(r.step.Released, stockbell.AttemptRelease{MessageID: id, Reason: err.Error(),
		OutcomeUnknown: errors.Is(err, stockbell.ErrOutcomeUnknown), Attempt: r.attempt})
	if r.lastAttempt {
		r.runAgainAt(r.Clock.Now().UTC()) // counted retried, not put off
		return nil
	}
	return fmt.Errorf("send message %d: %w", id, err)
}

// givenUp is the reason a message refused for now on its send job's last
// attempt is recorded failed with.
func givenUp(attempts int, err error) string {
	noun := "attempts"
	if attempts == 1 {
		noun = "attempt"
	}
	return fmt.Sprintf("given up after %d %s: %v", attempts, noun, err)
}

func (m *Messenger) budget() time.Duration {
	if m.Budget <= 0 {
		return DefaultSendBudget
	}
	return m.Budget
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

func (noMetrics) MessageSent(stockbell.Channel, time.Duration)            {}
func (noMetrics) MessageFailed(stockbell.Channel)                         {}
func (noMetrics) MessageRetried(stockbell.Channel)                        {}
func (noMetrics) MessageResumed(stockbell.Channel)                        {}
func (noMetrics) MessageHeldForQuietHours(stockbell.Channel)              {}
func (noMetrics) MessageSkipped(stockbell.Channel, stockbell.SkipReason)  {}
func (noMetrics) MessagePutOff(stockbell.Channel, stockbell.PutOffReason) {}
func (noMetrics) BatchStarted()                                           {}

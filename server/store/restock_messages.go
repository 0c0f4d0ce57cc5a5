package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.MessageStore = (*DB)(nil)

// eventRow is one event of a multi-row insert.
type eventRow struct {
	ShopID         int64
	Kind           stockbell.EventKind
	VariantID      int64
	SubscriptionID int64
	Detail         EventDetail
	// EncodedDetail, when set, is Detail as json.Marshal encodes it,
	// stored as it is.
	EncodedDetail string
}

// insertEvents inserts events of one kind and shop in one statement, with
// the outbound webhooks that report them.
func insertEvents(ctx context.Context, tx *Tx, events []eventRow, at time.Time) error {
	details := make([]string, len(events))
	for i, e := range events {
		if e.EncodedDetail != "" {
			details[i] = e.EncodedDetail
			continue
		}
		raw, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		details[i] = string(raw)
	}
	query, args := eventInsert(tx, events, details, at)
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return err
	}
	return queueWebhooksOf(ctx, tx, events, at)
}

// queueWebhooksOf queues the outbound webhooks of events of one kind and
// shop (a chunk's notified subscribers).
func queueWebhooksOf(ctx context.Context, tx *Tx, events []eventRow, at time.Time) error {
	reported := make([]reportedEvent, len(events))
	for i, e := range events {
		reported[i] = reportedEvent{Kind: e.Kind, VariantID: &e.VariantID, SubscriptionID: &e.SubscriptionID, Detail: e.Detail, At: at}
	}
	return queueWebhooks(ctx, tx, events[0].ShopID, reported)
}

// valueRows returns n rows of cols placeholders: "(?, ?), (?, ?)".
func valueRows(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// FindMessageDelivery loads the shop's message with its subscription,
// shop, variant and flow step, in one read transaction. Returns ENOTFOUND.
func (db *DB) FindMessageDelivery(ctx context.Context, shopID, messageID int64) (*stockbell.MessageDelivery, error) {
	var d *stockbell.MessageDelivery
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		d, err = findMessageDelivery(ctx, tx, shopID, messageID)
		return err
	})
	return d, err
}

func findMessageDelivery(ctx context.Context, tx *Tx, shopID, messageID int64) (*stockbell.MessageDelivery, error) {
	m, err := findMessage(ctx, tx, shopID, messageID)
	if err != nil {
		return nil, err
	}
	d := &stockbell.MessageDelivery{Message: *m}
	sub, err := findSubscriptionByID(ctx, tx, shopID, m.SubscriptionID)
	if err != nil {
		return nil, err
	}
	d.Subscription = *sub
	shop, err := findShopByID(ctx, tx, m.ShopID)
	if err != nil {
		return nil, err
	}
	d.Shop = *shop
	err = tx.GetContext(ctx, &d.Variant, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+` WHERE v.id = ? AND v.shop_id = ?`),
		sub.VariantID, shopID)
	if err != nil {
		return nil, notFound(err, "variant %d not found", sub.VariantID)
	}
	flow, err := findFlow(ctx, tx, m.ShopID)
	if err != nil {
		return nil, err
	}
	if d.StepFound = m.Step >= 1 && m.Step <= len(flow.Steps); d.StepFound {
		d.Step = flow.Steps[m.Step-1]
	}
	d.LastStep = m.Step >= len(flow.Steps)
	d.LastSentToRecipient, err = lastSentTo(ctx, tx, m)
	return d, err
}

// lastSentTo returns when the shop last sent another message to the same
// recipient, or nil.
func lastSentTo(ctx context.Context, tx *Tx, m *stockbell.Message) (*time.Time, error) {
	var at time.Time
	err := tx.GetContext(ctx, &at, tx.Rebind(`SELECT sent_at FROM messages WHERE shop_id = ? AND recipient = ? AND id <> ?
		AND sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 1`), m.ShopID, m.Recipient, m.ID)
	if isNoRows(err) {
		return nil, nil
	}
	return utcPtr(&at), err
}

// BeginAttempt counts an attempt on a pending message and leases it; see
// stockbell.MessageStore. Returns ENOTFOUND unless the message is the shop's.
func (db *DB) BeginAttempt(ctx context.Context, shopID, messageID int64, leaseUntil time.Time) (stockbell.AttemptOutcome, time.Time, error) {
	var result stockbell.SendStepResult
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := findMessage(ctx, tx, shopID, messageID); err != nil {
			return err
		}
		var err error
		result, err = beginAttempt(ctx, tx, shopID, messageID, leaseUntil)
		return err
	})
	return result.Outcome, result.HeldUntil, err
}

// sendableOf keeps the lease of a message (m, the messages table's name
// in the statement) to a subscription still notified, at a shop still
// installed, and of a text to a subscription that still has SMS: one that
// left since its sender read it (unsubscribed, say), whose shop
// uninstalled the app meanwhile, or whose number replied STOP, is sent
// nothing. A subscription has a phone number exactly while it has SMS (a
// subscription without SMS stores none, and STOP clears it with the
// channel: see stopSMS), so the text's check is one more column of the
// row the subscription's check reads. The literal statuses and channel
// keep the statement prepared (see restockStateQuery).
func sendableOf(m string) string {
	return `EXISTS (SELECT 1 FROM subscriptions s JOIN shops sh ON sh.id = s.shop_id WHERE s.id = ` + m + `.subscription_id
		AND s.status = 'notified' AND sh.status = 'installed' AND (` + m + `.channel <> 'sms' OR s.phone <> ''))`
}

// sendable is sendableOf for a statement naming the messages table.
var sendable = sendableOf("messages")

// beginAttempt counts an attempt on the shop's pending message and leases
// it, saying on which channel. The usual case (no lease) is one statement;
// a lease that ran out without a result (its runner died mid-send) is
// taken over with AttemptResumed. A message that is not pending, or not the shop's, is
// AttemptDone; one whose subscription is no longer notified, a text whose
// subscription no longer has SMS, and one whose shop is not installed are
// not leased (AttemptSubscriptionLeft or AttemptChannelLeft, with the
// subscription's status and channels, or AttemptShopUninstalled).
func beginAttempt(ctx context.Context, tx *Tx, shopID, messageID int64, leaseUntil time.Time) (stockbell.SendStepResult, error) {
	now := tx.db.now()
	for _, take := range []struct {
		lease   string
		outcome stockbell.AttemptOutcome
	}{{"lease_until IS NULL", stockbell.AttemptBegun}, {"lease_until <= ?", stockbell.AttemptResumed}} {
		args := []any{leaseUntil.UTC().Truncate(time.Microsecond), messageID, shopID, stockbell.MessagePending}
		if take.outcome == stockbell.AttemptResumed {
			args = append(args, now)
		}
		leased := stockbell.SendStepResult{Outcome: take.outcome}
		err := tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE messages SET attempts = attempts + 1, lease_until = ?
			WHERE id = ? AND `+byIDsOfShop+` AND status = ? AND `+take.lease+` AND `+sendable+`
			RETURNING attempts, channel`), args...).Scan(&leased.Attempt, &leased.Channel)
		if err == nil {
			return leased, nil
		}
		if !isNoRows(err) {
			return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
		}
	}
	return attemptRefused(ctx, tx, shopID, messageID, now)
}

// attemptRefused says why beginAttempt leased nothing: the message is no
// longer pending (AttemptDone), another attempt holds it (AttemptLeased),
// its shop was uninstalled (AttemptShopUninstalled), its subscription left
// (AttemptSubscriptionLeft) or, for a text, its number replied STOP
// (AttemptChannelLeft).
func attemptRefused(ctx context.Context, tx *Tx, shopID, messageID int64, now time.Time) (stockbell.SendStepResult, error) {
	var row struct {
		LeaseUntil *time.Time                    `db:"lease_until"`
		Channel    stockbell.Channel             `db:"channel"`
		Status     *stockbell.SubscriptionStatus `db:"subscription_status"`
		Channels   stockbell.Channels            `db:"subscription_channels"`
		ShopStatus stockbell.ShopStatus          `db:"shop_status"`
	}
	err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT m.lease_until, m.channel, s.status AS subscription_status,
		s.channels AS subscription_channels, sh.status AS shop_status
		FROM messages m JOIN shops sh ON sh.id = m.shop_id LEFT JOIN subscriptions s ON s.id = m.subscription_id WHERE m.id = ? AND m.`+byIDsOfShop+` AND m.status = ?`),
		messageID, shopID, stockbell.MessagePending)
	switch {
	case isNoRows(err):
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, nil
	case err != nil:
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
	case row.LeaseUntil != nil && row.LeaseUntil.After(now):
		return stockbell.SendStepResult{Outcome: stockbell.AttemptLeased, HeldUntil: row.LeaseUntil.UTC()}, nil
	case row.ShopStatus != stockbell.ShopInstalled:
		return stockbell.SendStepResult{Outcome: stockbell.AttemptShopUninstalled}, nil
	case row.Status == nil || *row.Status != stockbell.SubscriptionNotified:
		left := stockbell.SendStepResult{Outcome: stockbell.AttemptSubscriptionLeft, SubscriptionChannels: row.Channels}
		if row.Status != nil {
			left.SubscriptionStatus = *row.Status
		}
		return left, nil
	case row.Channel == stockbell.ChannelSMS && !row.Channels.Has(stockbell.ChannelSMS):
		return stockbell.SendStepResult{Outcome: stockbell.AttemptChannelLeft, SubscriptionStatus: *row.Status,
			SubscriptionChannels: row.Channels}, nil
	}
	return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, nil
}

// FinishMessage records the outcome of the shop's pending message; see
// stockbell.MessageStore.
func (db *DB) FinishMessage(ctx context.Context, result stockbell.MessageResult) (bool, error) {
	var finished bool
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		finished, err = finishMessage(ctx, tx, result, stockbell.MessagePending)
		return err
	})
	return finished, err
}

func finishMessage(ctx context.Context, tx *Tx, r stockbell.MessageResult, from stockbell.MessageStatus) (bool, error) {
	now := tx.db.now()
	var sentAt *time.Time
	if r.Status == stockbell.MessageSent {
		sentAt = &now
	}
	// One statement changes the message and returns what its event and
	// the flow's next step read (scanned by hand: this runs once per
	// message sent); with the event's and the next step's it is the whole
	// of the at-least-once window.
	var m stockbell.Message
	holder := leaseHolder(r)
	err := tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE messages SET status = ?, provider_id = ?, segments = ?, error = ?,
		sent_at = ?, lease_until = NULL WHERE id = ? AND `+byIDsOfShop+` AND status = ? AND `+heldBy+`
		RETURNING id, shop_id, subscription_id, step, channel, attempts, due_at`),
		r.Status, r.ProviderID, r.Segments, r.Reason, sentAt, r.MessageID, r.ShopID, from, holder, holder).
		Scan(&m.ID, &m.ShopID, &m.SubscriptionID, &m.Step, &m.Channel, &m.Attempts, &m.DueAt)
	if isNoRows(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := recordOutcome(ctx, tx, &m, r); err != nil {
		return false, err
	}
	return true, followOutcome(ctx, tx, &m, r)
}

// followOutcome does what a recorded outcome of m leads to: the subscriber
// of a skipped alert goes back in the queue (Requeue); otherwise the flow
// goes on to its next step unless the outcome ends it.
func followOutcome(ctx context.Context, tx *Tx, m *stockbell.Message, r stockbell.MessageResult) error {
	switch {
	case r.Requeue:
		return requeueSubscriber(ctx, tx, m)
	case r.StopFlow:
		return nil
	}
	return continueFlow(ctx, tx, m)
}

// requeueSubscriber puts the notified subscription of m, its skipped
// alert, back in the queue, its subscription time (its place) kept, unless
// the contact signed up again for the variant meanwhile (the new sign-up
// holds their place; the queue's unique indexes allow one). The alert's
// row is removed, its skip kept in the event just recorded: a subscriber
// has one message per flow step (the unique (subscription_id, step) index
// that stops a second alert), and the next batch creates their alert
// afresh. The restock engine is woken, as for a new subscription, when the
// variant is purchasable: a restock that found no one queued while the
// subscriber was notified started nothing. On PostgreSQL the variant is
// read under the key-share lock a new subscription takes, so a concurrent
// stock change is waited for and seen (see recordStockChange).
func requeueSubscriber(ctx context.Context, tx *Tx, m *stockbell.Message) error {
	var variantID int64
	// The literal statuses keep the statement prepared (see restockStateQuery).
	err := tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = 'queued', notified_at = NULL, updated_at = ?
		WHERE id = ? AND shop_id = ? AND status = 'notified' AND NOT EXISTS (SELECT 1 FROM subscriptions o
			WHERE o.variant_id = subscriptions.variant_id AND o.status IN ('queued', 'pending')
			AND ((o.email = subscriptions.email AND o.email <> '') OR (o.phone = subscriptions.phone AND o.phone <> '')))
		RETURNING variant_id`), tx.db.now(), m.SubscriptionID, m.ShopID).Scan(&variantID)
	if isNoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM messages WHERE id = ? AND `+byIDsOfShop+` AND status = 'skipped'`), m.ID, m.ShopID)
	if err != nil {
		return err
	}
	v, err := findVariantForSubscription(ctx, tx, m.ShopID, variantID)
	if err != nil || !v.Purchasable() {
		return err
	}
	return tx.insertJob(ctx, stockbell.VariantStockChangedJob{ShopID: m.ShopID, VariantID: variantID}, nil)
}

// heldBy keeps an outcome or a release to the attempt holding the
// message's lease: the attempts counted when it was leased are the
// attempt's number. Its two arguments are that number, or 0 for no check.
// Without it an attempt that outlived its lease (a process paused, a
// send that ran long) would end the lease of the attempt that took the
// message over, letting a third send beside it, or record its failure
// over that attempt's outcome.
const heldBy = `(? = 0 OR attempts = ?)`

// leaseHolder is the attempt an outcome is kept to (see heldBy): that
// which reached it, except for a sent outcome, recorded whoever sent it
// (stockbell.MessageResult.Attempt).
func leaseHolder(r stockbell.MessageResult) int {
	if r.Status == stockbell.MessageSent {
		return 0
	}
	return r.Attempt
}

func recordOutcome(ctx context.Context, tx *Tx, m *stockbell.Message, r stockbell.MessageResult) error {
	kind, err := outcomeEventKind(r.Status)
	if err != nil {
		return err
	}
	detail := outcomeDetail(r)
	detail["message_id"], detail["step"], detail["channel"], detail["attempts"] = m.ID, m.Step, m.Channel, m.Attempts
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
		SELECT shop_id, ?, variant_id, id, ?, ? FROM subscriptions WHERE id = ? AND shop_id = ?`), kind, string(raw), tx.db.now(), m.SubscriptionID, m.ShopID)
	return err
}

// outcomeEventKind is the event that records a message ending in status.
func outcomeEventKind(status stockbell.MessageStatus) (stockbell.EventKind, error) {
	kind := map[stockbell.MessageStatus]stockbell.EventKind{stockbell.MessageSent: stockbell.EventMessageSent,
		stockbell.MessageFailed: stockbell.EventMessageFailed, stockbell.MessageSkipped: stockbell.EventSkipped}[status]
	if kind == "" {
		return "", stockbell.FieldErrorf("status", "a message ends sent, failed or skipped, not %q", status)
	}
	return kind, nil
}

// outcomeDetail is what an outcome's event records of the result itself;
// the message's id, step, channel and attempts go beside it.
func outcomeDetail(r stockbell.MessageResult) EventDetail {
	detail := EventDetail{}
	if r.Resumed {
		detail["possible_repeat"] = true
	}
	if r.ProviderID != "" {
		detail["provider_id"] = r.ProviderID
	}
	if r.Requeue {
		detail["requeued"] = true
	}
	if r.Reason != "" {
		detail["reason"] = r.Reason
	}
	return detail
}

// continueFlow creates the subscriber's next flow step after m, due its
// delay from now, with its job (or held, in a manual flow); or from when m
// was due, when m ended before that (STOP skipped a text reminder ahead of
// time), so that the flow keeps its timing from the alert. Steps the
// subscriber has no contact for are recorded as skipped and passed over,
// the next timed from when the skipped one was due.
func continueFlow(ctx context.Context, tx *Tx, m *stockbell.Message) error {
	flow, err := findFlow(ctx, tx, m.ShopID)
	if err != nil || !flow.Status.Notifies() || m.Step >= len(flow.Steps) {
		return err
	}
	// The subscription's key-share lock orders the next message with an
	// erasure of the subscriber (RedactContact deletes the subscription,
	// waiting for the lock, and then its messages): on PostgreSQL messages
	// have no key to subscriptions (migration 0140) whose check took it.
	// An erased subscriber's flow ends here.
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR KEY SHARE"
	}
	var sub claimedSubscription
	var status stockbell.SubscriptionStatus
	err = tx.QueryRowxContext(ctx, tx.Rebind(`SELECT id, shop_id, variant_id, email, phone, channels, awaiting, status FROM subscriptions
		WHERE id = ? AND shop_id = ?`+lock), m.SubscriptionID, m.ShopID).Scan(&sub.ID, &sub.ShopID, &sub.VariantID, &sub.Email, &sub.Phone, &sub.Channels,
		&sub.Awaiting, &status)
	if isNoRows(err) {
		return nil
	}
	if err != nil || status != stockbell.SubscriptionNotified {
		return err
	}
	base := tx.db.now()
	if m.DueAt.After(base) {
		base = m.DueAt
	}
	for step := m.Step + 1; step <= len(flow.Steps); step++ {
		draft := draftMessage(flow, sub, step, base)
		ids, err := insertMessages(ctx, tx, []messageDraft{draft})
		if err != nil {
			return err
		}
		if draft.Status != stockbell.MessageSkipped {
			return queueMessages(ctx, tx, []messageDraft{draft}, ids)
		}
		e := stockbell.Event{ShopID: sub.ShopID, Kind: stockbell.EventSkipped, VariantID: &sub.VariantID, SubscriptionID: &sub.ID}
		detail := EventDetail{"message_id": ids[0], "step": step, "channel": draft.Channel, "reason": draft.Error}
		if err := tx.insertEvent(ctx, e, detail); err != nil {
			return err
		}
		base = draft.DueAt
	}
	return nil
}

// ReleaseAttempt ends the lease of the shop's pending message and records
// the error of its failed attempt; see stockbell.MessageStore.
func (db *DB) ReleaseAttempt(ctx context.Context, shopID, messageID int64, reason string, outcomeUnknown bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return releaseAttempt(ctx, tx, shopID, stockbell.AttemptRelease{MessageID: messageID, Reason: reason, OutcomeUnknown: outcomeUnknown})
	})
}

// releaseAttempt ends the lease of the shop's pending message and records
// the error of its failed attempt, if that attempt still holds the lease
// (heldBy). An attempt whose outcome is unknown
// leaves the lease expired rather than cleared: that is what beginAttempt
// reads as an attempt that ended without a result.
func releaseAttempt(ctx context.Context, tx *Tx, shopID int64, r stockbell.AttemptRelease) error {
	var leaseUntil *time.Time
	if r.OutcomeUnknown {
		now := tx.db.now()
		leaseUntil = &now
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE messages SET lease_until = ?, error = ?
		WHERE id = ? AND `+byIDsOfShop+` AND status = ? AND `+heldBy),
		leaseUntil, r.Reason, r.MessageID, shopID, stockbell.MessagePending, r.Attempt, r.Attempt)
	return err
}

package store

import (
	"context"
	"database/sql"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var (
	_ stockbell.MessageService     = (*DB)(nil)
	_ stockbell.HeldMessageService = (*DB)(nil)
)

const messageColumns = `id, shop_id, subscription_id, step, channel, recipient, status, attempts, provider_id,
	error, segments, due_at, created_at, sent_at`

// FindMessages returns the matching messages, newest first, and the total count.
func (db *DB) FindMessages(ctx context.Context, filter stockbell.MessageFilter) ([]*stockbell.Message, int, error) {
	w, err := shopScope("shop_id", filter.ShopID)
	if err != nil {
		return nil, 0, err
	}
	if filter.SubscriptionID != nil {
		w.add("subscription_id = ?", *filter.SubscriptionID)
	}
	if filter.SubscriptionIDs != nil {
		w.add(inIDs("subscription_id", len(filter.SubscriptionIDs)), int64Args(filter.SubscriptionIDs)...)
	}
	if filter.Channel != nil {
		w.add("channel = ?", *filter.Channel)
	}
	if filter.Status != nil {
		w.add("status = ?", *filter.Status)
	}
	messages := []*stockbell.Message{}
	var total int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM messages`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &messages, tx.Rebind(`SELECT `+messageColumns+` FROM messages`+w.String()+
			` ORDER BY created_at DESC, id DESC`+page(filter.Offset, filter.Limit)), w.args...)
	})
	return messages, total, err
}

// inIDs is the condition "column IN (?, …)" for n ids, or one that
// matches nothing for none.
func inIDs(column string, n int) string {
	if n == 0 {
		return "1 = 0"
	}
	return column + " IN (" + placeholders(n) + ")"
}

// findMessage returns the shop's message. Returns ENOTFOUND.
func findMessage(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.Message, error) {
	var m stockbell.Message
	err := tx.GetContext(ctx, &m, tx.Rebind(`SELECT `+messageColumns+` FROM messages WHERE id = ? AND shop_id = ?`), id, shopID)
	if err != nil {
		return nil, notFound(err, "message %d not found", id)
	}
	return &m, nil
}

// ApproveMessage queues a message a manual flow held, due now; its held
// subscriber is notified now. Returns ENOTFOUND, or ECONFLICT when the
// message is not held.
func (db *DB) ApproveMessage(ctx context.Context, shopID, messageID int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return approveHeld(ctx, tx, shopID, messageID) })
}

// DiscardMessage skips a held message with the reason "discarded by
// merchant"; the subscriber's later steps are not created, and a held
// subscriber is discarded, never notified. Returns
// ENOTFOUND, or ECONFLICT when the message is not held.
func (db *DB) DiscardMessage(ctx context.Context, shopID, messageID int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return discardHeld(ctx, tx, shopID, messageID) })
}

func approveHeld(ctx context.Context, tx *Tx, shopID, messageID int64) error {
	if err := mustBeHeld(ctx, tx, shopID, messageID); err != nil {
		return err
	}
	var m stockbell.Message
	err := tx.QueryRowxContext(ctx, tx.Rebind(`UPDATE messages SET status = ?, due_at = ? WHERE id = ? AND shop_id = ?
		RETURNING id, subscription_id, channel`), stockbell.MessagePending, tx.db.now(), messageID, shopID).
		Scan(&m.ID, &m.SubscriptionID, &m.Channel)
	if err != nil {
		return err
	}
	if err := tx.insertJob(ctx, stockbell.SendMessageJob{ShopID: shopID, MessageID: messageID}, nil); err != nil {
		return err
	}
	return notifyApproved(ctx, tx, shopID, &m)
}

// notifyApproved makes the held subscriber of an approved message
// notified now, with the notified event (and its webhooks) that the
// batch held back, naming the batch that held them last (one queued
// again after a skipped alert was held by an earlier batch too). A subscriber no longer held (notified by an earlier
// message, or unsubscribed meanwhile) is left as it is.
func notifyApproved(ctx context.Context, tx *Tx, shopID int64, m *stockbell.Message) error {
	now := tx.db.now()
	var variantID int64
	err := tx.GetContext(ctx, &variantID, tx.Rebind(`UPDATE subscriptions SET status = ?, notified_at = ?, updated_at = ?
		WHERE id = ? AND shop_id = ? AND status = ? RETURNING variant_id`),
		stockbell.SubscriptionNotified, now, now, m.SubscriptionID, shopID, stockbell.SubscriptionHeld)
	if isNoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	detail := EventDetail{"message_id": m.ID, "channel": m.Channel, "approved": true}
	if err := addHeldBatch(ctx, tx, m.SubscriptionID, detail); err != nil {
		return err
	}
	e := stockbell.Event{ShopID: shopID, Kind: stockbell.EventNotified, VariantID: &variantID, SubscriptionID: &m.SubscriptionID}
	return tx.insertEvent(ctx, e, detail)
}

// addHeldBatch names in detail, as batch_id, the batch that held the
// subscription last (its latest held event); none is named when no batch
// held it.
func addHeldBatch(ctx context.Context, tx *Tx, subscriptionID int64, detail EventDetail) error {
	var batchID int64
	err := tx.GetContext(ctx, &batchID, tx.Rebind(`SELECT `+tx.jsonInt("detail", "batch_id")+` FROM events
		WHERE subscription_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`), subscriptionID, stockbell.EventHeld)
	switch {
	case err == nil:
		detail["batch_id"] = batchID
	case !isNoRows(err):
		return err
	}
	return nil
}

// discardHeld skips a held message and the rest of its flow; a held
// subscriber is then discarded: never notified.
func discardHeld(ctx context.Context, tx *Tx, shopID, messageID int64) error {
	if err := mustBeHeld(ctx, tx, shopID, messageID); err != nil {
		return err
	}
	result := stockbell.MessageResult{ShopID: shopID, MessageID: messageID, Status: stockbell.MessageSkipped,
		Reason: string(stockbell.SkipDiscarded), StopFlow: true}
	if _, err := finishMessage(ctx, tx, result, stockbell.MessageHeld); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = ?, updated_at = ?
		WHERE id = (SELECT subscription_id FROM messages WHERE id = ?) AND shop_id = ? AND status = ?`),
		stockbell.SubscriptionDiscarded, tx.db.now(), messageID, shopID, stockbell.SubscriptionHeld)
	return err
}

func mustBeHeld(ctx context.Context, tx *Tx, shopID, messageID int64) error {
	var status stockbell.MessageStatus
	err := tx.GetContext(ctx, &status, tx.Rebind(`SELECT status FROM messages WHERE id = ? AND shop_id = ?`+tx.forUpdate()), messageID, shopID)
	if err != nil {
		return notFound(err, "message %d not found", messageID)
	}
	if status != stockbell.MessageHeld {
		return stockbell.Errorf(stockbell.ECONFLICT, "Message %d is %s, not held for approval.", messageID, status)
	}
	return nil
}

// messageDraft is a message row about to be inserted.
type messageDraft struct {
	ShopID         int64
	SubscriptionID int64
	Step           int
	Channel        stockbell.Channel
	Recipient      string
	Status         stockbell.MessageStatus
	Error          string
	DueAt          time.Time
}

// draftMessage prepares step (1-based) of the flow for a subscriber, as
// the flow-step policy (Flow.StepMessage) says, due at the microsecond
// both databases keep.
func draftMessage(flow *stockbell.Flow, sub claimedSubscription, step int, base time.Time) messageDraft {
	m := flow.StepMessage(step, confirmedContacts(sub), base)
	return messageDraft{ShopID: sub.ShopID, SubscriptionID: sub.ID, Step: step, Channel: m.Channel, Recipient: m.Recipient,
		Status: m.Status, Error: string(m.Reason), DueAt: m.DueAt.Truncate(time.Microsecond)}
}

// confirmedContacts is the subscriber as a flow step sees it: the contacts
// of channels awaiting a confirmation left out, so that no message goes to
// them (the step falls back to a confirmed channel, or is skipped).
func confirmedContacts(sub claimedSubscription) *stockbell.Subscription {
	s := &stockbell.Subscription{Email: sub.Email, Phone: sub.Phone, Channels: sub.Channels, Awaiting: sub.Awaiting}
	s.Channels = s.Confirmed()
	if sub.Awaiting.Has(stockbell.ChannelEmail) {
		s.Email = ""
	}
	if sub.Awaiting.Has(stockbell.ChannelSMS) {
		s.Phone = ""
	}
	return s
}

// insertMessages inserts the drafts in one statement and returns their ids
// in order. The unique (subscription_id, step) index refuses a second
// message for the same step.
func insertMessages(ctx context.Context, tx *Tx, drafts []messageDraft) ([]int64, error) {
	query, args := messageInsert(tx, drafts, tx.db.now())
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bySubscription := make(map[int64]int64, len(drafts))
	for rows.Next() {
		var id, subID int64
		if err := rows.Scan(&id, &subID); err != nil {
			return nil, err
		}
		bySubscription[subID] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(drafts))
	for i, d := range drafts {
		ids[i] = bySubscription[d.SubscriptionID]
	}
	return ids, nil
}

// queueMessages inserts SendMessageJobs for the pending drafts (all of one
// shop): drafts due at the same time share jobs of up to
// stockbell.SendJobMessages messages, in the drafts' order, scheduled at
// their due time when that is later than now.
func queueMessages(ctx context.Context, tx *Tx, drafts []messageDraft, ids []int64) error {
	now := tx.db.now()
	var jobs []stockbell.JobArgs
	var job *stockbell.SendMessageJob
	var due time.Time
	flush := func() error {
		if job != nil {
			jobs = append(jobs, *job)
			job = nil
		}
		if len(jobs) == 0 {
			return nil
		}
		opts := &stockbell.JobOptions{}
		if due.After(now) {
			opts.ScheduledAt = due
		}
		err := tx.insertJobs(ctx, jobs, opts)
		jobs = jobs[:0]
		return err
	}
	for i, d := range drafts {
		if d.Status != stockbell.MessagePending {
			continue
		}
		if !d.DueAt.Equal(due) {
			if err := flush(); err != nil {
				return err
			}
			due = d.DueAt
		}
		if job != nil && len(job.MessageIDs) == stockbell.SendJobMessages {
			jobs = append(jobs, *job)
			job = nil
		}
		if job == nil {
			job = &stockbell.SendMessageJob{ShopID: d.ShopID}
		}
		job.MessageIDs = append(job.MessageIDs, ids[i])
	}
	return flush()
}

// jobBatchInserter is a queue that inserts many jobs in one statement.
type jobBatchInserter interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, args []stockbell.JobArgs, opts *stockbell.JobOptions) error
}

// insertJobs inserts jobs in the transaction, in one statement when the
// queue can. In a group transaction, jobs without options wait to be
// inserted with the batch's others before it commits (see insertJob).
func (tx *Tx) insertJobs(ctx context.Context, args []stockbell.JobArgs, opts *stockbell.JobOptions) error {
	if tx.pendingJobs != nil && opts == nil {
		tx.pendingJobs = append(tx.pendingJobs, args...)
		return nil
	}
	if many, ok := tx.db.Queue.(jobBatchInserter); ok {
		return many.InsertManyTx(ctx, tx.sqlTx.Tx, args, opts)
	}
	for _, a := range args {
		if err := tx.insertJob(ctx, a, opts); err != nil {
			return err
		}
	}
	return nil
}

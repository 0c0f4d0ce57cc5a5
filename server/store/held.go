package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.HeldBatchService = (*DB)(nil)

// The decisions a batch_decided event records.
const (
	decisionApproved  = "approved"
	decisionDiscarded = "discarded"
)

// heldRow is one held message with the batch that took its subscriber.
type heldRow struct {
	MessageID      int64     `db:"message_id"`
	SubscriptionID int64     `db:"subscription_id"`
	Recipient      string    `db:"recipient"`
	CreatedAt      time.Time `db:"created_at"`
	BatchID        int64     `db:"batch_id"`
	Step           int       `db:"step"` // the flow's message: 1 is the alert
}

// heldFrom joins the shop's held messages to the event naming their
// batch: the subscriber's last held or notified event (a reminder held
// after an approved alert is in the alert's batch, which the approval's
// notified event names; a subscriber queued again after a skipped alert
// is in the batch that took them last). Only the messages of subscribers
// still held, or notified (a reminder), are the batch's: approving it
// would send the others nothing (one who unsubscribed is skipped, see
// Unsubscribe). Its arguments are heldArgs.
const heldFrom = ` FROM messages m JOIN events e ON e.id = (SELECT MAX(b.id) FROM events b
			WHERE b.subscription_id = m.subscription_id AND b.kind IN (?, ?))
		JOIN subscriptions s ON s.id = m.subscription_id AND s.status IN (?, ?)
		WHERE m.shop_id = ? AND m.status = ?`

func heldArgs(shopID int64) []any {
	return []any{stockbell.EventHeld, stockbell.EventNotified, stockbell.SubscriptionHeld, stockbell.SubscriptionNotified,
		shopID, stockbell.MessageHeld}
}

// heldMessages lists the shop's held messages with their batch (read from
// the subscriber's held or notified event), oldest first; batchID 0 means all.
func heldMessages(ctx context.Context, tx *Tx, shopID, batchID int64) ([]heldRow, error) {
	query := `SELECT m.id AS message_id, m.subscription_id, m.recipient, m.created_at, m.step, ` + tx.jsonInt("e.detail", "batch_id") + ` AS batch_id` + heldFrom
	args := heldArgs(shopID)
	if batchID != 0 {
		query += ` AND ` + tx.jsonInt("e.detail", "batch_id") + ` = ?`
		args = append(args, batchID)
	}
	var rows []heldRow
	err := tx.SelectContext(ctx, &rows, tx.Rebind(query+` ORDER BY m.created_at, m.id`), args...)
	return rows, err
}

// CountHeldBatches counts the shop's batches with held messages, as
// FindHeldBatches lists them, in one query.
func (db *DB) CountHeldBatches(ctx context.Context, shopID int64) (int, error) {
	var n int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		query := `SELECT COUNT(DISTINCT ` + tx.jsonInt("e.detail", "batch_id") + `)` + heldFrom
		return tx.GetContext(ctx, &n, tx.Rebind(query), heldArgs(shopID)...)
	})
	return n, err
}

// FindHeldBatches returns the shop's batches with held messages, oldest first.
func (db *DB) FindHeldBatches(ctx context.Context, shopID int64) ([]*stockbell.HeldBatch, error) {
	out := []*stockbell.HeldBatch{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := heldMessages(ctx, tx, shopID, 0)
		if err != nil || len(rows) == 0 {
			return err
		}
		byBatch := map[int64]*stockbell.HeldBatch{}
		var ids []int64
		for _, r := range rows {
			b, ok := byBatch[r.BatchID]
			if !ok {
				b = &stockbell.HeldBatch{FirstHeldAt: r.CreatedAt.UTC()}
				byBatch[r.BatchID] = b
				ids = append(ids, r.BatchID)
				out = append(out, b)
			}
			b.Held++
			if len(b.Recipients) < 5 {
				b.Recipients = append(b.Recipients, r.Recipient)
			}
		}
		return readHeldBatches(ctx, tx, ids, byBatch)
	})
	return out, err
}

// readHeldBatches fills in each batch row and its variant.
func readHeldBatches(ctx context.Context, tx *Tx, ids []int64, byBatch map[int64]*stockbell.HeldBatch) error {
	query, args, err := sqlx.In(`SELECT `+batchColumns+` FROM restock_batches WHERE id IN (?)`, ids)
	if err != nil {
		return err
	}
	var batches []stockbell.RestockBatch
	if err := tx.SelectContext(ctx, &batches, tx.Rebind(query), args...); err != nil {
		return err
	}
	for _, b := range batches {
		held := byBatch[b.ID]
		held.Batch = b
		if err := tx.GetContext(ctx, &held.Variant, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+` WHERE v.id = ?`), b.VariantID); err != nil {
			return err
		}
	}
	return nil
}

// ApproveHeldBatch queues every held message of the batch, in one transaction.
func (db *DB) ApproveHeldBatch(ctx context.Context, shopID, batchID int64, by stockbell.AdminUser) (int, error) {
	return db.actOnHeldBatch(ctx, shopID, batchID, batchDecision{decisionApproved, by}, approveHeld)
}

// DiscardHeldBatch skips every held message of the batch, in one transaction.
func (db *DB) DiscardHeldBatch(ctx context.Context, shopID, batchID int64, by stockbell.AdminUser) (int, error) {
	return db.actOnHeldBatch(ctx, shopID, batchID, batchDecision{decisionDiscarded, by}, discardHeld)
}

// actOnHeldBatch approves or discards the batch's held messages in one
// transaction and records the decision. A message another transaction
// decided on meanwhile (a second click on the same batch, its subscriber
// unsubscribing) is passed over; when none is left the batch waits for
// no decision: ENOTFOUND. The decision is recorded at the time the
// transaction began, no later than any change it made: a subscriber's
// timeline, which reads her variant's events up to her last change (her
// notification, her discard), then holds it.
func (db *DB) actOnHeldBatch(ctx context.Context, shopID, batchID int64, decision batchDecision, act func(context.Context, *Tx, int64, int64) error) (int, error) {
	var decided decidedMessages
	err := db.inTx(ctx, func(tx *Tx) error {
		decided = decidedMessages{}
		decidedAt := tx.db.now()
		rows, err := heldMessages(ctx, tx, shopID, batchID)
		if err != nil {
			return err
		}
		ids, err := lockHeldRows(ctx, tx, rows)
		if err != nil {
			return err
		}
		steps := make(map[int64]int, len(rows))
		for _, r := range rows {
			steps[r.MessageID] = r.Step
		}
		for _, id := range ids {
			switch err := act(ctx, tx, shopID, id); {
			case stockbell.ErrorCode(err) == stockbell.ECONFLICT: // no longer held
			case err != nil:
				return err
			default:
				decided.add(steps[id])
			}
		}
		if decided.total() == 0 {
			return stockbell.Errorf(stockbell.ENOTFOUND, "No message of batch %d is waiting for approval.", batchID)
		}
		return recordBatchDecision(ctx, tx, shopID, batchID, decision, decided, decidedAt)
	})
	return decided.total(), err
}

// decidedMessages counts the messages a decision on a batch acted on:
// alerts (a flow's first message; a batch claimed in several chunks holds
// them chunk by chunk) apart from the follow-ups held after an approval.
type decidedMessages struct{ alerts, followUps int }

func (d *decidedMessages) add(step int) {
	if step <= 1 {
		d.alerts++
	} else {
		d.followUps++
	}
}

func (d decidedMessages) total() int { return d.alerts + d.followUps }

// lockHeldRows locks, on PostgreSQL, the held messages in id order and
// then their subscribers in id order, before any is acted on, as StopSMS,
// a send step and an erasure take them (lockorder.go); it returns the
// message ids in that order. Acting on them one by one (a message, then
// its subscriber, then the next message) would hold a subscriber while
// waiting for a later message, which a STOP of the subscriber's number
// may hold while it waits for the subscriber.
func lockHeldRows(ctx context.Context, tx *Tx, rows []heldRow) ([]int64, error) {
	messages, subscriptions := make([]int64, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		messages[i], subscriptions[i] = r.MessageID, r.SubscriptionID
	}
	slices.Sort(messages)
	if err := lockIDsInOrder(ctx, tx, "messages", messages, tx.forUpdate()); err != nil {
		return nil, err
	}
	// The no-key lock the approval's update of the subscriber takes.
	return messages, lockIDsInOrder(ctx, tx, "subscriptions", subscriptions, tx.forNoKeyUpdate())
}

// batchDecision is what a batch_decided event records of the decision:
// which, and who made it (its detail's decided_by, the AdminUser's
// fields, left out when the session named no one).
type batchDecision struct {
	decision string
	by       stockbell.AdminUser
}

// recordBatchDecision records the merchant's decision on the batch, an
// event of its variant made at.
func recordBatchDecision(ctx context.Context, tx *Tx, shopID, batchID int64, decision batchDecision, messages decidedMessages, at time.Time) error {
	var variantID int64
	err := tx.GetContext(ctx, &variantID, tx.Rebind(`SELECT variant_id FROM restock_batches WHERE id = ? AND shop_id = ?`), batchID, shopID)
	if err != nil {
		return err
	}
	detail := EventDetail{"batch_id": batchID, "decision": decision.decision, "messages": messages.total(),
		"alerts": messages.alerts, "follow_ups": messages.followUps}
	if decision.by != (stockbell.AdminUser{}) {
		detail["decided_by"] = decision.by
	}
	e := variantEvent(shopID, variantID, stockbell.EventBatchDecided)
	e.CreatedAt = at
	return tx.insertEvent(ctx, e, detail)
}

// FindHeldBatchDecision returns the shop's last decision on the batch, read
// from its batch_decided event, with the decisions before it (Earlier).
// Returns ENOTFOUND when there is none.
func (db *DB) FindHeldBatchDecision(ctx context.Context, shopID, batchID int64) (*stockbell.HeldBatchDecision, error) {
	var events []stockbell.Event
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &events, tx.Rebind(heldBatchDecisionQuery(tx.db.Dialect)), shopID, batchID)
	})
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, stockbell.Errorf(stockbell.ENOTFOUND, "Batch %d was never approved or discarded.", batchID)
	}
	decisions := make([]stockbell.HeldBatchDecision, len(events))
	for i := range events {
		if decisions[i], err = readBatchDecision(&events[i], batchID); err != nil {
			return nil, err
		}
	}
	last := decisions[len(decisions)-1]
	last.Earlier = decisions[:len(decisions)-1]
	return &last, nil
}

// readBatchDecision reads the decision a batch_decided event records.
func readBatchDecision(e *stockbell.Event, batchID int64) (stockbell.HeldBatchDecision, error) {
	var detail struct {
		Decision  string              `json:"decision"`
		Messages  int                 `json:"messages"`
		Alerts    int                 `json:"alerts"`     // absent from decisions recorded before it
		FollowUps int                 `json:"follow_ups"` // as alerts
		DecidedBy stockbell.AdminUser `json:"decided_by"` // absent from decisions recorded before it
	}
	if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
		return stockbell.HeldBatchDecision{}, err
	}
	return stockbell.HeldBatchDecision{BatchID: batchID, Approved: detail.Decision == decisionApproved,
		Messages: detail.Messages, Alerts: detail.Alerts, FollowUps: detail.FollowUps, At: e.CreatedAt.UTC(), By: detail.DecidedBy}, nil
}

// heldBatchDecisionQuery is FindHeldBatchDecision's statement on the
// dialect's database: the shop's batch_decided events naming the batch,
// oldest first (a few: one per decision, as a batch's alerts, held chunk
// by chunk, and then its follow-ups are held). It is served by the partial index
// events_batch_decided (migration 0290), whose WHERE and expression it
// repeats: the kind is written in it, not bound, as SQLite uses a partial index only for a query whose own
// terms imply the index's.
func heldBatchDecisionQuery(d Dialect) string {
	return `SELECT ` + eventColumns + ` FROM events WHERE shop_id = ? AND kind = '` + string(stockbell.EventBatchDecided) +
		`' AND ` + jsonInt(d, "detail", "batch_id") + ` = ? ORDER BY id`
}

package store

import (
	"context"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// UndoUnsubscribe restores the shop's subscriptions that Unsubscribe ended
// less than stockbell.UnsubscribeUndoWindow ago, and no later than
// unsubscribedBy (to the second: the removal an Undo button names; a
// later removal of the same alert is not undone by its button), in one
// transaction. Each goes back to the status it had: a queued one to its
// place in the queue (the queue is by sign-up time, which is kept), with
// the restock engine woken in case its variant is back; a pending one to
// waiting for its confirmation; a notified one to its flow's later steps,
// those not skipped meanwhile. A subscription held in a manual flow's
// batch is not restored (the unsubscribe skipped its alert), nor one whose
// contact signed up for the variant again since or waits for it already
// (an earlier removal undone first), nor one whose variant or
// product left the catalog. Outcomes are in id order. Returns ENOTFOUND,
// restoring nothing, when an id is not the shop's.
func (db *DB) UndoUnsubscribe(ctx context.Context, shopID int64, ids []int64, unsubscribedBy time.Time) ([]stockbell.UndoOutcome, error) {
	return db.UndoRemoval(ctx, shopID, ids, time.Time{}, unsubscribedBy)
}

// UndoRemoval is UndoUnsubscribe for a removal that started at
// removalStarted: a subscription unsubscribed before then (by a one-click
// unsubscribe from the mail client between the page's reading and its
// removal) was not ended by this removal and is not restored. The zero
// removalStarted sets no such bound (an Undo button that does not name
// its start).
func (db *DB) UndoRemoval(ctx context.Context, shopID int64, ids []int64, removalStarted, unsubscribedBy time.Time) ([]stockbell.UndoOutcome, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	removal := removalSpan{started: removalStarted, by: unsubscribedBy}
	var outcomes []stockbell.UndoOutcome
	err := db.inTx(ctx, func(tx *Tx) error {
		outcomes = outcomes[:0]
		for _, id := range ids { // rows of one table in id order (lockorder.go)
			result, err := undoUnsubscribe(ctx, tx, shopID, id, removal)
			if err != nil {
				return err
			}
			outcomes = append(outcomes, stockbell.UndoOutcome{SubscriptionID: id, Result: result})
		}
		return nil
	})
	return outcomes, err
}

// removalSpan is when the removal being undone was made: from started
// (zero when unknown) to by, to the second.
type removalSpan struct {
	started, by time.Time
}

// ended reports whether the removal may have ended a subscription
// unsubscribed at.
func (r removalSpan) ended(at time.Time) bool {
	return !at.Truncate(time.Second).After(r.by) && !at.Before(r.started)
}

// unsubscribed is what Unsubscribe recorded of the status it ended.
type unsubscribed struct {
	At   *time.Time
	From stockbell.SubscriptionStatus
}

func undoUnsubscribe(ctx context.Context, tx *Tx, shopID, id int64, removal removalSpan) (stockbell.UndoResult, error) {
	sub, err := lockSubscriptionByID(ctx, tx, shopID, id)
	if err != nil {
		return "", err
	}
	ended := unsubscribed{At: sub.UnsubscribedAt, From: sub.UnsubscribedFrom}
	if result, err := undoRefusal(ctx, tx, sub, ended, removal); result != "" || err != nil {
		return result, err
	}
	return stockbell.UndoRestored, restoreSubscription(ctx, tx, sub, ended)
}

// undoRefusal says why the unsubscribe that ended sub cannot be undone,
// or "" when it can.
func undoRefusal(ctx context.Context, tx *Tx, sub *stockbell.Subscription, ended unsubscribed, removal removalSpan) (stockbell.UndoResult, error) {
	switch {
	case sub.Status != stockbell.SubscriptionUnsubscribed || ended.At == nil || !undoable(ended.From):
		return stockbell.UndoNotUndoable, nil
	case !removal.ended(*ended.At):
		return stockbell.UndoNotUndoable, nil // another removal than the one being undone
	case !tx.db.now().Before(ended.At.Add(stockbell.UnsubscribeUndoWindow)):
		return stockbell.UndoExpired, nil
	}
	var gone bool
	err := tx.GetContext(ctx, &gone, tx.Rebind(`SELECT v.deleted OR p.deleted FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.id = ? AND v.shop_id = ?`), sub.VariantID, sub.ShopID)
	if err != nil || gone {
		return stockbell.UndoVariantGone, err
	}
	if again, err := signedUpAgain(ctx, tx, sub, ended.From); err != nil || again {
		return stockbell.UndoSubscribedAgain, err
	}
	return "", nil
}

// undoable reports whether a subscription unsubscribed from the status can
// go back to it. A held one cannot: the unsubscribe skipped the alert its
// batch held, so held again it would wait for an approval that sends it
// nothing.
func undoable(from stockbell.SubscriptionStatus) bool {
	return from == stockbell.SubscriptionQueued || from == stockbell.SubscriptionPending || from == stockbell.SubscriptionNotified
}

// signedUpAgain reports whether sub's contact (its email address or its
// phone number) has a later sign-up for the variant that has not ended,
// or, when sub would go back to waiting (restoreTo queued or pending),
// any other sign-up waiting for the variant: the queue holds a contact
// once per variant (the partial unique indexes), and an earlier removal
// undone first may have put the contact back in it.
func signedUpAgain(ctx context.Context, tx *Tx, sub *stockbell.Subscription, restoreTo stockbell.SubscriptionStatus) (bool, error) {
	waits := restoreTo == stockbell.SubscriptionQueued || restoreTo == stockbell.SubscriptionPending
	var n int
	err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM subscriptions WHERE shop_id = ? AND variant_id = ?
		AND ((id > ? AND status IN (?, ?, ?, ?)) OR (? AND id <> ? AND status IN (?, ?)))
		AND ((email <> '' AND email = ?) OR (phone <> '' AND phone = ?))`),
		sub.ShopID, sub.VariantID, sub.ID, stockbell.SubscriptionQueued, stockbell.SubscriptionPending,
		stockbell.SubscriptionHeld, stockbell.SubscriptionNotified, waits, sub.ID,
		stockbell.SubscriptionQueued, stockbell.SubscriptionPending, sub.Email, sub.Phone)
	return n > 0, err
}

// restoreSubscription puts sub back in the status the unsubscribe ended,
// with an EventResubscribed event. Back in the queue, as a confirmation
// puts a subscription there, it holds its shop's row (holdShopForQueueing)
// and wakes the restock engine.
func restoreSubscription(ctx context.Context, tx *Tx, sub *stockbell.Subscription, ended unsubscribed) error {
	if ended.From == stockbell.SubscriptionQueued {
		if _, err := holdShopForQueueing(ctx, tx, sub.ShopID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = ?, unsubscribed_at = NULL, unsubscribed_from = '',
		updated_at = ? WHERE id = ?`), ended.From, tx.db.now(), sub.ID)
	if err != nil {
		return err
	}
	detail := EventDetail{"restored_status": ended.From, "unsubscribed_at": ended.At.UTC()}
	if err := tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventResubscribed), detail); err != nil || ended.From != stockbell.SubscriptionQueued {
		return err
	}
	return tx.insertJob(ctx, stockbell.VariantStockChangedJob{ShopID: sub.ShopID, VariantID: sub.VariantID}, nil)
}

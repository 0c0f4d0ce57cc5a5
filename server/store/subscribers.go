package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.SubscriberService = (*DB)(nil)

// FindSubscriberTimeline reads one subscription of the shop with everything
// that happened to it, in one read. Returns ENOTFOUND unless the
// subscription belongs to the shop.
func (db *DB) FindSubscriberTimeline(ctx context.Context, shopID, subscriptionID int64) (*stockbell.SubscriberTimeline, error) {
	var tl stockbell.SubscriberTimeline
	err := db.inReadTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &tl.Subscription, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ? AND shop_id = ?`),
			subscriptionID, shopID)
		if err != nil {
			return notFound(err, "subscription %d not found", subscriptionID)
		}
		if err := readTimelineVariant(ctx, tx, &tl); err != nil {
			return err
		}
		if err := readTimelineEvents(ctx, tx, &tl); err != nil {
			return err
		}
		if err := readTimelineMessages(ctx, tx, &tl); err != nil {
			return err
		}
		return readTimelineConfirmations(ctx, tx, &tl)
	})
	if err != nil {
		return nil, err
	}
	return &tl, nil
}

// readTimelineVariant reads her variant, its queue and her place in it.
func readTimelineVariant(ctx context.Context, tx *Tx, tl *stockbell.SubscriberTimeline) error {
	s := &tl.Subscription
	err := tx.GetContext(ctx, &tl.Variant, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+` WHERE v.id = ?`), s.VariantID)
	if err != nil {
		return err
	}
	var waiting struct {
		Until *time.Time `db:"waiting_until"`
	}
	if err := tx.GetContext(ctx, &waiting, tx.Rebind(`SELECT waiting_until FROM variants WHERE id = ?`), s.VariantID); err != nil {
		return err
	}
	tl.WaitingUntil = utcPtr(waiting.Until)
	if err := tx.GetContext(ctx, &tl.Queued, tx.Rebind(`SELECT COUNT(*) FROM subscriptions WHERE variant_id = ? AND status = ?`),
		s.VariantID, stockbell.SubscriptionQueued); err != nil {
		return err
	}
	if s.Status != stockbell.SubscriptionQueued {
		return nil
	}
	// Her place: the queued subscriptions before hers in (created_at, id) order, plus one.
	err = tx.GetContext(ctx, &tl.Position, tx.Rebind(`SELECT COUNT(*) + 1 FROM subscriptions
		WHERE variant_id = ? AND status = ? AND (created_at < ? OR (created_at = ? AND id < ?))`),
		s.VariantID, stockbell.SubscriptionQueued, s.CreatedAt, s.CreatedAt, s.ID)
	return err
}

// readTimelineEvents reads her events, and the variant's and the shop's
// from her subscription until she left the queue: decisions, batches,
// waits, settings changes and the stock changes that raised the stock.
func readTimelineEvents(ctx context.Context, tx *Tx, tl *stockbell.SubscriberTimeline) error {
	s := &tl.Subscription
	tl.Events = []*stockbell.Event{}
	err := tx.SelectContext(ctx, &tl.Events, tx.Rebind(`SELECT `+eventColumns+` FROM events
		WHERE subscription_id = ? ORDER BY created_at, id`), s.ID)
	if err != nil {
		return err
	}
	until := timelineEnd(s)
	var around []*stockbell.Event
	err = tx.SelectContext(ctx, &around, tx.Rebind(`SELECT `+eventColumns+` FROM events
		WHERE shop_id = ? AND subscription_id IS NULL AND created_at >= ? AND created_at <= ?
		AND ((variant_id = ? AND (kind <> ? OR `+tx.jsonInt("detail", "new_stock")+` > `+tx.jsonInt("detail", "old_stock")+`))
			OR (variant_id IS NULL AND kind = ?))
		ORDER BY created_at, id`+page(0, stockbell.MaxTimelineEvents)),
		s.ShopID, s.CreatedAt, until, s.VariantID, stockbell.EventStockChanged, stockbell.EventSettingsChanged)
	if err != nil {
		return err
	}
	tl.Events = mergeByTime(tl.Events, around)
	return nil
}

// timelineEnd is when the subscription left the queue, or far ahead while
// it waits.
func timelineEnd(s *stockbell.Subscription) time.Time {
	switch {
	case s.NotifiedAt != nil:
		return *s.NotifiedAt
	case s.Status != stockbell.SubscriptionQueued && s.Status != stockbell.SubscriptionPending:
		return s.UpdatedAt
	}
	return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
}

// mergeByTime merges two event lists sorted by (created_at, id).
func mergeByTime(a, b []*stockbell.Event) []*stockbell.Event {
	out := make([]*stockbell.Event, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].CreatedAt.Before(a[0].CreatedAt) || (b[0].CreatedAt.Equal(a[0].CreatedAt) && b[0].ID < a[0].ID) {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// readTimelineConfirmations reads the confirmations asked of her, oldest
// first.
func readTimelineConfirmations(ctx context.Context, tx *Tx, tl *stockbell.SubscriberTimeline) error {
	tl.Confirmations = []*stockbell.Confirmation{}
	return tx.SelectContext(ctx, &tl.Confirmations, tx.Rebind(`SELECT `+confirmationColumns+` FROM confirmations
		WHERE subscription_id = ? AND shop_id = ? ORDER BY id`), tl.Subscription.ID, tl.Subscription.ShopID)
}

// readTimelineMessages reads her messages and the clicks on them.
func readTimelineMessages(ctx context.Context, tx *Tx, tl *stockbell.SubscriberTimeline) error {
	tl.Messages = []*stockbell.Message{}
	err := tx.SelectContext(ctx, &tl.Messages, tx.Rebind(`SELECT `+messageColumns+` FROM messages
		WHERE subscription_id = ? ORDER BY step, id`), tl.Subscription.ID)
	if err != nil {
		return err
	}
	tl.Clicks = []stockbell.MessageClick{}
	return tx.SelectContext(ctx, &tl.Clicks, tx.Rebind(`SELECT c.message_id, c.clicked_at FROM message_clicks c
		JOIN messages m ON m.id = c.message_id WHERE m.subscription_id = ? ORDER BY c.clicked_at, c.id`), tl.Subscription.ID)
}

// RemoveSubscription cancels a queued, pending or held subscription of
// the shop with an EventRemoved event (naming the status it had and, for a
// held one, the batch it leaves) and returns the status it had. A pending
// one's confirmations stay open but confirm nothing: Confirm answers
// ECONFLICT, ConfirmReply skips it, and a request not yet sent is not
// sent. Its messages a manual flow
// holds are skipped at once, locked before the subscription as Unsubscribe
// and a batch's approval lock them, so that the held batch no longer
// counts it. Returns ENOTFOUND unless it belongs to the shop.
func (db *DB) RemoveSubscription(ctx context.Context, shopID, subscriptionID int64, by stockbell.AdminUser) (stockbell.SubscriptionStatus, error) {
	var previous stockbell.SubscriptionStatus
	err := db.inTx(ctx, func(tx *Tx) error {
		held, err := lockHeldMessages(ctx, tx, shopID, subscriptionID)
		if err != nil {
			return err
		}
		sub, err := lockSubscriptionByID(ctx, tx, shopID, subscriptionID)
		if err != nil {
			return err
		}
		previous = sub.Status
		if !stockbell.Removable(sub.Status) {
			return nil
		}
		detail := EventDetail{"by": by.Label(), "user_id": by.ID, "previous_status": sub.Status}
		if by != (stockbell.AdminUser{}) {
			detail["removed_by"] = by // who, as a batch decision's decided_by records them
		}
		if sub.Status == stockbell.SubscriptionHeld {
			if err := addHeldBatch(ctx, tx, sub.ID, detail); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = ?, updated_at = ? WHERE id = ?`),
			stockbell.SubscriptionCancelled, tx.db.now(), sub.ID)
		if err != nil {
			return err
		}
		for _, messageID := range held {
			result := stockbell.MessageResult{ShopID: shopID, MessageID: messageID, Status: stockbell.MessageSkipped,
				Reason: string(stockbell.SkipRemoved), StopFlow: true}
			if _, err := finishMessage(ctx, tx, result, stockbell.MessageHeld); err != nil {
				return err
			}
		}
		return tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventRemoved), detail)
	})
	if err != nil {
		return "", err
	}
	return previous, nil
}

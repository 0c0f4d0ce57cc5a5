package store

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.ConfirmationService = (*DB)(nil)

const confirmationColumns = `id, shop_id, subscription_id, channel, recipient, consent_text, requested_at, sent_at,
	confirmed_at, method, failed_at, failure`

// requestConfirmations records a confirmation for each channel of a new
// subscription that awaits one, each with the job that sends its request,
// in the subscription's transaction.
func requestConfirmations(ctx context.Context, tx *Tx, sub *stockbell.Subscription) error {
	now := tx.db.now()
	for _, ch := range sub.Awaiting {
		var id int64
		err := tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO confirmations (shop_id, subscription_id, channel, recipient,
			requested_at) VALUES (?, ?, ?, ?, ?) RETURNING id`), sub.ShopID, sub.ID, ch, sub.Contact(ch), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := queueConfirmationSends(ctx, tx, sub.ShopID, id); err != nil {
			return err
		}
	}
	return nil
}

// queueConfirmationSends inserts the job that sends each confirmation's
// request, in the caller's transaction.
func queueConfirmationSends(ctx context.Context, tx *Tx, shopID int64, ids ...int64) error {
	for _, id := range ids {
		if err := tx.insertJob(ctx, stockbell.SendConfirmationJob{ShopID: shopID, ConfirmationID: id}, nil); err != nil {
			return err
		}
	}
	return nil
}

// ConfirmationResendAfter is how long after a confirmation request a
// shopper who subscribes again gets a new one (the first may be lost, or
// its link expired); sooner, the form's answer is the same and nothing is
// sent, so that the form cannot be used to send texts to a number.
const ConfirmationResendAfter = time.Hour

// requestConfirmationsAgain queues a new request for each confirmation of
// a subscription submitted again that is still open, on a channel it
// still awaits: at once for one that could not be sent, as the merchant's
// "Send the confirmation again" does (sendConfirmationsAgain: once per
// failure, however often the form is submitted); for one sent, only when
// it left more than ConfirmationResendAfter ago. found is the subscription
// as read unlocked; its row is locked first (see lockConfirmation).
func requestConfirmationsAgain(ctx context.Context, tx *Tx, found *stockbell.Subscription) error {
	sub, err := lockSubscriptionByID(ctx, tx, found.ShopID, found.ID)
	if err != nil {
		return err
	}
	// Before the failed ones are reopened, which clears their failure: a
	// failed request is queued once, by reopenFailedConfirmations.
	stale, err := reopenConfirmations(ctx, tx, sub, `sent_at = NULL`, `failed_at IS NULL AND sent_at < ?`,
		tx.db.now().Add(-ConfirmationResendAfter))
	if err != nil {
		return err
	}
	if _, err := reopenFailedConfirmations(ctx, tx, sub); err != nil {
		return err
	}
	return queueConfirmationSends(ctx, tx, sub.ShopID, stale...)
}

// reopenConfirmations sets each open confirmation of the locked
// subscription that matches where (with its args), on a channel the
// subscription still awaits (stockbell.Subscription.AwaitsConfirmation:
// not one its shopper stopped or unsubscribed from), requested now and
// changed by set, and returns their ids.
func reopenConfirmations(ctx context.Context, tx *Tx, sub *stockbell.Subscription, set, where string, args ...any) ([]int64, error) {
	var ids []int64
	for _, ch := range sub.Awaiting {
		if !sub.AwaitsConfirmation(ch) {
			continue
		}
		var reopened []int64
		err := tx.SelectContext(ctx, &reopened, tx.Rebind(`UPDATE confirmations SET `+set+`, requested_at = ?
			WHERE subscription_id = ? AND shop_id = ? AND channel = ? AND confirmed_at IS NULL AND `+where+` RETURNING id`),
			append([]any{tx.db.now(), sub.ID, sub.ShopID, ch}, args...)...)
		if err != nil {
			return nil, err
		}
		ids = append(ids, reopened...)
	}
	return ids, nil
}

// FindConfirmationRequest returns a confirmation of the shop with its
// subscription, shop and variant, for the job that sends it and the
// link's page. Returns ENOTFOUND.
func (db *DB) FindConfirmationRequest(ctx context.Context, shopID, id int64) (*stockbell.ConfirmationRequest, error) {
	var req stockbell.ConfirmationRequest
	err := db.inReadTx(ctx, func(tx *Tx) error {
		c, err := findConfirmation(ctx, tx, shopID, id)
		if err != nil {
			return err
		}
		req.Confirmation = *c
		sub, err := findSubscriptionByID(ctx, tx, c.ShopID, c.SubscriptionID)
		if err != nil {
			return err
		}
		req.Subscription = *sub
		shop, err := findShopByID(ctx, tx, c.ShopID)
		if err != nil {
			return err
		}
		req.Shop = *shop
		err = tx.GetContext(ctx, &req.Variant, tx.Rebind(`SELECT `+variantWithProductColumns+variantWithProductFrom+
			` WHERE v.id = ? AND v.shop_id = ?`), sub.VariantID, c.ShopID)
		return notFound(err, "variant %d not found", sub.VariantID)
	})
	if err != nil {
		return nil, err
	}
	return &req, nil
}

// findConfirmation returns the shop's confirmation, unlocked: a writer
// locks it with lockConfirmation. Returns ENOTFOUND.
func findConfirmation(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.Confirmation, error) {
	var c stockbell.Confirmation
	err := tx.GetContext(ctx, &c, tx.Rebind(`SELECT `+confirmationColumns+` FROM confirmations WHERE id = ? AND shop_id = ?`), id, shopID)
	if err != nil {
		return nil, notFound(err, "confirmation %d not found", id)
	}
	return &c, nil
}

// lockConfirmation locks, on PostgreSQL, the subscription of c and then c,
// and returns both as locked, c read again only if it still meets the
// further condition open (SQL beginning with AND, with its args). Lock
// order: a subscription before its confirmations, as every writer of a
// confirmation takes them (sendConfirmationsAgain, a repeat sign-up) and a
// removal or STOP takes the subscription; locked the other way round, two
// of them on one subscription would each wait for the other. Returns
// ENOTFOUND when c no longer meets open, or is gone.
func lockConfirmation(ctx context.Context, tx *Tx, c *stockbell.Confirmation, open string, args ...any) (*stockbell.Subscription, *stockbell.Confirmation, error) {
	sub, err := lockSubscriptionByID(ctx, tx, c.ShopID, c.SubscriptionID)
	if err != nil {
		return nil, nil, err
	}
	var locked stockbell.Confirmation
	err = tx.GetContext(ctx, &locked, tx.Rebind(`SELECT `+confirmationColumns+` FROM confirmations WHERE id = ? AND shop_id = ?`+
		open+tx.forUpdate()), append([]any{c.ID, c.ShopID}, args...)...)
	if err != nil {
		return nil, nil, notFound(err, "confirmation %d not found", c.ID)
	}
	return sub, &locked, nil
}

// MarkConfirmationSent records that the request left, with its text.
// Returns ENOTFOUND for a confirmation of another shop.
func (db *DB) MarkConfirmationSent(ctx context.Context, shopID, id int64, consentText string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE confirmations SET sent_at = ?, consent_text = ? WHERE id = ? AND shop_id = ?`),
			tx.db.now(), consentText, id, shopID)
		return mustAffect(res, err, "confirmation %d not found", id)
	})
}

// MarkConfirmationFailed records that the request could not be sent, for
// good, and why, cut to stockbell.MaxConfirmationFailure characters.
// Returns ENOTFOUND for a confirmation of another shop.
func (db *DB) MarkConfirmationFailed(ctx context.Context, shopID, id int64, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE confirmations SET failed_at = ?, failure = ? WHERE id = ? AND shop_id = ?`),
			tx.db.now(), cutText(reason, stockbell.MaxConfirmationFailure), id, shopID)
		return mustAffect(res, err, "confirmation %d not found", id)
	})
}

// cutText returns s cut to at most n characters, an ellipsis ending it
// when cut.
func cutText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// SendConfirmationAgain queues a new send of the subscription's failed
// confirmation requests; see stockbell.SubscriberService and
// sendConfirmationsAgain.
func (db *DB) SendConfirmationAgain(ctx context.Context, shopID, subscriptionID int64) (int, error) {
	var queued int
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		queued, err = sendConfirmationsAgain(ctx, tx, shopID, subscriptionID)
		return err
	})
	if err != nil {
		return 0, err
	}
	return queued, nil
}

// sendConfirmationsAgain queues a new send of each of the subscription's
// confirmation requests that could not be sent, on a channel it still
// awaits, and returns how many (see reopenFailedConfirmations).
func sendConfirmationsAgain(ctx context.Context, tx *Tx, shopID, subscriptionID int64) (int, error) {
	sub, err := lockSubscriptionByID(ctx, tx, shopID, subscriptionID)
	if err != nil {
		return 0, err
	}
	return reopenFailedConfirmations(ctx, tx, sub)
}

// reopenFailedConfirmations queues a new send of each of the locked
// subscription's confirmation requests that could not be sent, on a
// channel it still awaits, and returns how many. Under the subscription's
// row lock, as a removal or STOP takes it, each request's failure is
// cleared as its job is queued: a second call finds none failed and
// queues nothing.
func reopenFailedConfirmations(ctx context.Context, tx *Tx, sub *stockbell.Subscription) (int, error) {
	ids, err := reopenConfirmations(ctx, tx, sub, `failed_at = NULL, failure = ''`, `failed_at IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	return len(ids), queueConfirmationSends(ctx, tx, sub.ShopID, ids...)
}

// Confirm records the shopper's confirmation of a channel; see
// stockbell.ConfirmationService.
func (db *DB) Confirm(ctx context.Context, shopID, id int64, method stockbell.ConfirmationMethod) (*stockbell.Confirmation, error) {
	var c *stockbell.Confirmation
	err := db.inTx(ctx, func(tx *Tx) error {
		found, err := findConfirmation(ctx, tx, shopID, id)
		if err != nil {
			return err
		}
		sub, locked, err := lockConfirmation(ctx, tx, found, "")
		if err != nil {
			return err
		}
		if c = locked; c.ConfirmedAt != nil {
			return nil
		}
		return confirm(ctx, tx, sub, c, method)
	})
	return c, err
}

// ConfirmReply confirms the open SMS confirmations sent to a phone number
// within stockbell.ConfirmationLinkValidity, at whichever shops asked: a
// reply names a number, not a shop. It returns how many it confirmed.
func (db *DB) ConfirmReply(ctx context.Context, phone string) (int, error) {
	confirmed := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		var open []*stockbell.Confirmation
		since := tx.db.now().Add(-stockbell.ConfirmationLinkValidity)
		err := tx.SelectContext(ctx, &open, tx.Rebind(`SELECT `+confirmationColumns+` FROM confirmations
			WHERE recipient = ? AND channel = ? AND confirmed_at IS NULL AND sent_at >= ? ORDER BY subscription_id, id`),
			phone, stockbell.ChannelSMS, since)
		if err != nil {
			return err
		}
		for _, c := range open {
			err := confirmReply(ctx, tx, c, since)
			if code := stockbell.ErrorCode(err); code == stockbell.ENOTFOUND || code == stockbell.ECONFLICT {
				continue // erased, confirmed or sent again meanwhile, or no longer to be confirmed (stockbell.ConfirmationClosed)
			} else if err != nil {
				return err
			}
			confirmed++
		}
		return nil
	})
	return confirmed, err
}

// confirmReply locks the open confirmation c (lockConfirmation) and
// confirms it by reply, if it is still open and its request still left
// since then. Returns ENOTFOUND when it no longer is.
func confirmReply(ctx context.Context, tx *Tx, c *stockbell.Confirmation, since time.Time) error {
	sub, locked, err := lockConfirmation(ctx, tx, c, ` AND confirmed_at IS NULL AND sent_at >= ?`, since)
	if err != nil {
		return err
	}
	return confirm(ctx, tx, sub, locked, stockbell.ConfirmedByReply)
}

// confirm marks c confirmed and takes its channel off the subscription's
// awaiting list; a pending subscription joins the queue (in its place by
// the time it was made). Either way the restock engine is woken, in case
// its variant is back already: a pending subscription was never counted,
// and a queued one may have been skipped by a chunk claim while this
// transaction held its row (on PostgreSQL a claim skips locked rows), so
// that a batch for everyone closed without it. Returns ECONFLICT when the
// confirmation can no longer be given (stockbell.ConfirmationClosed: the
// merchant removed the subscription, the shopper unsubscribed or took the
// channel off, it left the queue, a claim that marked it notified first
// being waited for and seen, or the shop uninstalled the app). The
// subscription's row lock orders this with a removal or a STOP: whichever
// comes second sees the other. sub and c are locked by lockConfirmation.
func confirm(ctx context.Context, tx *Tx, sub *stockbell.Subscription, c *stockbell.Confirmation, method stockbell.ConfirmationMethod) error {
	shop, err := holdShopForQueueing(ctx, tx, sub.ShopID)
	if err != nil {
		return err
	}
	if closed := stockbell.ConfirmationClosed(sub, shop, c.Channel); closed != stockbell.ConfirmationOpen {
		return stockbell.Errorf(stockbell.ECONFLICT, "subscription %d can no longer confirm %s: %s", sub.ID, c.Channel, closed)
	}
	now := tx.db.now()
	c.ConfirmedAt, c.Method = &now, method
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE confirmations SET confirmed_at = ?, method = ? WHERE id = ?`), now, method, c.ID); err != nil {
		return err
	}
	awaiting := slices.DeleteFunc(slices.Clone(sub.Awaiting), func(ch stockbell.Channel) bool { return ch == c.Channel })
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET awaiting = ?, status = ?, updated_at = ? WHERE id = ?`),
		awaiting, stockbell.SubscriptionQueued, now, sub.ID)
	if err != nil {
		return err
	}
	detail := EventDetail{"channel": c.Channel, "method": method}
	if err := tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventConfirmed), detail); err != nil {
		return err
	}
	// A job of its own, as for a new subscription (see CreateSubscription).
	return tx.insertJob(ctx, stockbell.VariantStockChangedJob{ShopID: sub.ShopID, VariantID: sub.VariantID}, nil)
}

// StopSMS takes a phone number that replied STOP off every subscription
// that may still text it (queued, pending, held or notified), at
// whichever shops hold it: a subscription by SMS alone is unsubscribed;
// one with email too keeps its email and loses the number. Their texts
// not yet sent (held, or pending and not being sent) are skipped as
// unsubscribed, at once, so that neither an approval nor a reminder sends
// one: except the alert of a subscriber who keeps a confirmed email, which
// goes by email instead (as Flow.StepMessage falls back for an alert). A
// text an attempt holds is left to it. The messages are locked before
// their subscriptions, in the order an approval or a send takes them, so
// that neither waits for the other (see lockHeldMessages). A subscription
// of the number an unsubscribe link ended can no longer be restored
// (UndoUnsubscribe). It returns how many subscriptions changed.
func (db *DB) StopSMS(ctx context.Context, phone string) (int, error) {
	stopped := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		stopped = 0
		texts, err := lockUnsentTexts(ctx, tx, phone)
		if err != nil {
			return err
		}
		// Those an unsubscribe link ended are locked with the rest, in id
		// order: STOP ends their undo, which would text the number again.
		var subs []*stockbell.Subscription
		err = tx.SelectContext(ctx, &subs, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions
			WHERE phone = ? AND (status IN ('queued', 'pending', 'held', 'notified') OR (status = 'unsubscribed' AND unsubscribed_at IS NOT NULL))
			ORDER BY id`+tx.forUpdate()), phone)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if sub.Status == stockbell.SubscriptionUnsubscribed {
				if err := endUndo(ctx, tx, sub.ID); err != nil {
					return err
				}
				continue
			}
			if err := stopSMS(ctx, tx, sub); err != nil {
				return err
			}
			if err := stopTexts(ctx, tx, sub, texts[sub.ID]); err != nil {
				return err
			}
			stopped++
		}
		return nil
	})
	return stopped, err
}

// endUndo makes an unsubscribe that ended the subscription final.
func endUndo(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET unsubscribed_at = NULL, unsubscribed_from = '' WHERE id = ?`), id)
	return err
}

// unsentText is a text of a held or notified subscription not yet sent.
type unsentText struct {
	ID             int64                   `db:"id"`
	ShopID         int64                   `db:"shop_id"`
	SubscriptionID int64                   `db:"subscription_id"`
	Step           int                     `db:"step"`
	Status         stockbell.MessageStatus `db:"status"`
}

// lockUnsentTexts locks the texts to the phone number not yet sent, by
// subscription: held ones, and pending ones no attempt holds (a lease
// still running, or one whose outcome is unknown, is the attempt's).
func lockUnsentTexts(ctx context.Context, tx *Tx, phone string) (map[int64][]unsentText, error) {
	var texts []unsentText
	err := tx.SelectContext(ctx, &texts, tx.Rebind(`SELECT m.id, m.shop_id, m.subscription_id, m.step, m.status FROM messages m
		JOIN subscriptions s ON s.id = m.subscription_id AND s.shop_id = m.shop_id
		WHERE s.phone = ? AND s.status IN ('held', 'notified') AND m.channel = ?
			AND (m.status = ? OR (m.status = ? AND m.lease_until IS NULL)) ORDER BY m.id`+tx.forUpdateOf("m")),
		phone, stockbell.ChannelSMS, stockbell.MessageHeld, stockbell.MessagePending)
	bySubscription := map[int64][]unsentText{}
	for _, m := range texts {
		bySubscription[m.SubscriptionID] = append(bySubscription[m.SubscriptionID], m)
	}
	return bySubscription, err
}

// stopTexts skips the subscription's unsent texts, sub as STOP left it,
// or sends its alert by email when it keeps a confirmed one. A subscriber
// who keeps email goes on to the flow's later steps, which find no number.
func stopTexts(ctx context.Context, tx *Tx, sub *stockbell.Subscription, texts []unsentText) error {
	for _, m := range texts {
		if m.Step == 1 && sub.Confirmed().Has(stockbell.ChannelEmail) {
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE messages SET channel = ?, recipient = ? WHERE id = ? AND shop_id = ?`),
				stockbell.ChannelEmail, sub.Email, m.ID, m.ShopID)
			if err != nil {
				return err
			}
			continue
		}
		result := stockbell.MessageResult{ShopID: m.ShopID, MessageID: m.ID, Status: stockbell.MessageSkipped,
			Reason: string(stockbell.SkipUnsubscribed), StopFlow: sub.Status == stockbell.SubscriptionUnsubscribed}
		if _, err := finishMessage(ctx, tx, result, m.Status); err != nil {
			return err
		}
	}
	return nil
}

// stopSMS takes SMS off the subscription, in place. A queued or pending
// one waits on by what is left; a held or notified one keeps its status,
// except a held one left with no confirmed channel, which its alert
// cannot reach: it waits for its email's confirmation, as a new one does.
func stopSMS(ctx context.Context, tx *Tx, sub *stockbell.Subscription) error {
	without := func(chs stockbell.Channels) stockbell.Channels {
		return slices.DeleteFunc(slices.Clone(chs), func(ch stockbell.Channel) bool { return ch == stockbell.ChannelSMS })
	}
	previous := sub.Status
	sub.Channels, sub.Awaiting, sub.Phone = without(sub.Channels), without(sub.Awaiting), ""
	switch {
	case len(sub.Channels) == 0:
		sub.Status = stockbell.SubscriptionUnsubscribed
	case previous == stockbell.SubscriptionQueued || previous == stockbell.SubscriptionPending,
		previous == stockbell.SubscriptionHeld && len(sub.Confirmed()) == 0:
		sub.Status = stockbell.InitialStatus(sub.Channels, sub.Awaiting)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET channels = ?, awaiting = ?, phone = '', status = ?, updated_at = ?
		WHERE id = ?`), sub.Channels, sub.Awaiting, sub.Status, tx.db.now(), sub.ID)
	if err != nil {
		return err
	}
	detail := EventDetail{"previous_status": previous, "channel": stockbell.ChannelSMS, "reason": "stop"}
	if err := tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventUnsubscribed), detail); err != nil || sub.Status != stockbell.SubscriptionQueued {
		return err
	}
	// Still queued by email: a chunk claim may have skipped it while this
	// transaction held its row (see confirm), so the engine is woken.
	return tx.insertJob(ctx, stockbell.VariantStockChangedJob{ShopID: sub.ShopID, VariantID: sub.VariantID}, nil)
}

// holdShopForQueueing reads the shop's status, taking on PostgreSQL the
// key-share lock on its row that a new subscription's insert takes through
// its foreign key, for a subscription joining the queue by an update (a
// confirmation): a flow leaving draft then either waits for it or is
// waited for (see recheckWaitingVariants).
func holdShopForQueueing(ctx context.Context, tx *Tx, shopID int64) (*stockbell.Shop, error) {
	shop := stockbell.Shop{ID: shopID}
	err := tx.GetContext(ctx, &shop.Status, tx.Rebind(`SELECT status FROM shops WHERE id = ?`+tx.forKeyShareOf("shops")), shopID)
	if err != nil {
		return nil, notFound(err, "shop %d not found", shopID)
	}
	return &shop, nil
}

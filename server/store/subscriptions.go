package store

import (
	"context"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

var _ stockbell.SubscriptionService = (*DB)(nil)

// subscriptionColumns are every column of a subscription
// (stockbell.Subscription): a data request (ContactData) reports them all.
const subscriptionColumns = `id, shop_id, variant_id, email, phone, channels, status, awaiting, locale, sms_consent,
	sms_consent_text, marketing_consent, consent_ip, source, created_at, notified_at, updated_at, unsubscribed_at, unsubscribed_from`

// CreateSubscription queues a subscription with an EventSubscribed event, in
// one transaction. When the same email or phone is already queued for the
// variant it returns that subscription and created=false; a subscription
// notified earlier does not count. If the variant is purchasable right now
// (a restock raced the shopper) a VariantStockChangedJob lets the restock
// engine decide at once. The transaction is a group transaction shared with
// concurrent requests' writes (see groupCommit), where the new contacts
// that need nothing more than their row and event are inserted together
// (insertQueuedSubscriptions). Returns EINVALID naming the field when no channel
// has a contact, ENOTFOUND for an unknown variant of the shop.
func (db *DB) CreateSubscription(ctx context.Context, create stockbell.SubscriptionCreate) (*stockbell.Subscription, bool, error) {
	if err := validateSubscriptionCreate(&create); err != nil {
		return nil, false, err
	}
	var sub *stockbell.Subscription
	var created bool
	if err := db.group.doWrite(ctx, subscriptionGroupWrite(create, &sub, &created)); err != nil {
		return nil, false, err
	}
	return sub, created, nil
}

// subscriptionGroupWrite is a validated create's part of a group batch:
// the row the batch's statement stored for it or, when it stored none,
// createSubscription alone. It sets *sub and *created.
func subscriptionGroupWrite(create stockbell.SubscriptionCreate, sub **stockbell.Subscription, created *bool) *groupWrite {
	write := newSubscriptionWrite(create)
	return &groupWrite{sub: write, fn: func(ctx context.Context, tx *Tx) (err error) {
		if write.inserted != nil {
			*sub, *created = write.inserted, true
			return nil
		}
		*sub, *created, err = createSubscription(ctx, tx, create)
		return err
	}}
}

// validateSubscriptionCreate checks the shop and variant, then the request
// itself (SubscriptionCreate.Validate, which also drops the contact of a
// channel not chosen), and stores contacts in their canonical form.
func validateSubscriptionCreate(c *stockbell.SubscriptionCreate) error {
	if c.ShopID == 0 {
		return stockbell.FieldErrorf("shop_id", "The shop is missing.")
	}
	if c.VariantID == 0 {
		return stockbell.FieldErrorf("variant_id", "The variant is missing.")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.Email, c.Phone = contact.CanonicalEmail(c.Email), contact.CanonicalPhone(c.Phone)
	return nil
}

func createSubscription(ctx context.Context, tx *Tx, c stockbell.SubscriptionCreate) (*stockbell.Subscription, bool, error) {
	v, err := findVariantForSubscription(ctx, tx, c.ShopID, c.VariantID)
	if err != nil {
		return nil, false, err
	}
	awaiting := stockbell.ChannelsToConfirm(c.Channels, contact.PhoneRegion(c.Phone), v.EmailDoubleOptIn)
	sub, err := insertSubscription(ctx, tx, c, awaiting)
	if isNoRows(err) {
		// The contact is already queued (or pending) for the variant.
		existing, err := findQueuedContact(ctx, tx, c)
		if err == nil && existing != nil && len(existing.Awaiting) > 0 {
			err = requestConfirmationsAgain(ctx, tx, existing)
		}
		return existing, false, err
	} else if err != nil {
		return nil, false, err
	}
	if err := tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventSubscribed), subscribedDetail(sub)); err != nil {
		return nil, false, err
	}
	if err := requestConfirmations(ctx, tx, sub); err != nil {
		return nil, false, err
	}
	if v.Purchasable() && sub.Status == stockbell.SubscriptionQueued {
		// Not unique by arguments: a decision already running may have read
		// the queue before this subscription, and would swallow the job.
		err = tx.insertJob(ctx, stockbell.VariantStockChangedJob{ShopID: c.ShopID, VariantID: v.ID}, nil)
	}
	return sub, true, err
}

// subscribedVariant is the variant of a new subscription with its shop's
// email double opt-in setting.
type subscribedVariant struct {
	stockbell.Variant
	EmailDoubleOptIn bool `db:"email_double_opt_in"`
}

// findVariantForSubscription reads the variant a subscription is for. On
// PostgreSQL it takes the key-share lock the subscription's foreign key
// would take anyway, before deciding: a stock change holding the variant
// is waited for and its stock seen (see recordStockChange).
func findVariantForSubscription(ctx context.Context, tx *Tx, shopID, variantID int64) (*subscribedVariant, error) {
	var v subscribedVariant
	err := tx.GetContext(ctx, &v, tx.Rebind(`SELECT `+variantColumns+`, COALESCE((SELECT email_double_opt_in
		FROM restock_settings WHERE shop_id = v.shop_id), FALSE) AS email_double_opt_in
		FROM variants v WHERE v.id = ? AND v.shop_id = ?`+tx.forKeyShareOf("v")), variantID, shopID)
	if err != nil {
		return nil, notFound(err, "variant %d not found", variantID)
	}
	return &v, nil
}

// insertSubscription inserts the row, pending when every channel awaits
// confirmation, and returns it as stored, unless the contact is already
// queued or pending for the variant (the partial unique indexes);
// then it returns sql.ErrNoRows. ON CONFLICT DO NOTHING keeps a PostgreSQL
// transaction usable after the clash.
func insertSubscription(ctx context.Context, tx *Tx, c stockbell.SubscriptionCreate, awaiting stockbell.Channels) (*stockbell.Subscription, error) {
	now := tx.db.now()
	var sub stockbell.Subscription
	err := tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels,
		status, awaiting, locale, sms_consent, sms_consent_text, marketing_consent, consent_ip, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING `+subscriptionColumns),
		c.ShopID, c.VariantID, c.Email, c.Phone, c.Channels, stockbell.InitialStatus(c.Channels, awaiting), awaiting, c.Locale,
		c.SMSConsent, c.SMSConsentText, c.MarketingConsent, c.ConsentIP, c.Source, now, now).StructScan(&sub)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// findQueuedContact returns the queued or pending subscription of the
// variant with the same email or phone, or nil. Each lookup is written so that the planner
// matches it to its partial unique index (literal status and non-empty
// conditions): one index probe, however long the queue.
func findQueuedContact(ctx context.Context, tx *Tx, c stockbell.SubscriptionCreate) (*stockbell.Subscription, error) {
	lookups := []struct{ column, value string }{{"email", c.Email}, {"phone", c.Phone}}
	for _, l := range lookups {
		if l.value == "" {
			continue
		}
		var sub stockbell.Subscription
		err := tx.GetContext(ctx, &sub, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions
			WHERE variant_id = ? AND `+l.column+` = ? AND status IN ('queued', 'pending') AND `+l.column+` <> ''`), c.VariantID, l.value)
		if err == nil {
			return &sub, nil
		} else if !isNoRows(err) {
			return nil, err
		}
	}
	return nil, nil
}

// FindSubscriptionByID returns the shop's subscription. Returns ENOTFOUND
// (also for another shop's).
func (db *DB) FindSubscriptionByID(ctx context.Context, shopID, id int64) (*stockbell.Subscription, error) {
	var sub *stockbell.Subscription
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		sub, err = findSubscriptionByID(ctx, tx, shopID, id)
		return err
	})
	return sub, err
}

func findSubscriptionByID(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.Subscription, error) {
	return readSubscriptionByID(ctx, tx, shopID, id, "")
}

// lockSubscriptionByID is findSubscriptionByID with the row locked for
// update (on PostgreSQL), for a change decided on what was read: a
// concurrent change of its status (a claim marking it notified, an
// unsubscribe) is waited for and seen, not overwritten.
func lockSubscriptionByID(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.Subscription, error) {
	return readSubscriptionByID(ctx, tx, shopID, id, tx.forUpdate())
}

func readSubscriptionByID(ctx context.Context, tx *Tx, shopID, id int64, lock string) (*stockbell.Subscription, error) {
	var sub stockbell.Subscription
	err := tx.GetContext(ctx, &sub, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ? AND shop_id = ?`+lock), id, shopID)
	if err != nil {
		return nil, notFound(err, "subscription %d not found", id)
	}
	return &sub, nil
}

// FindSubscriptions returns the matching subscriptions, oldest first (ties
// by id), and the total count.
func (db *DB) FindSubscriptions(ctx context.Context, filter stockbell.SubscriptionFilter) ([]*stockbell.Subscription, int, error) {
	w, err := subscriptionWhere(filter)
	if err != nil {
		return nil, 0, err
	}
	subs := []*stockbell.Subscription{}
	var total int
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &total, tx.Rebind(`SELECT COUNT(*) FROM subscriptions`+w.String()), w.args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &subs, tx.Rebind(`SELECT `+subscriptionColumns+` FROM subscriptions`+w.String()+
			subscriptionOrder(filter)+page(filter.Offset, filter.Limit)), w.args...)
	})
	return subs, total, err
}

// subscriptionOrder is oldest first, by id when paging by cursor.
func subscriptionOrder(filter stockbell.SubscriptionFilter) string {
	if filter.AfterID != nil {
		return ` ORDER BY id`
	}
	return ` ORDER BY created_at, id`
}

func subscriptionWhere(filter stockbell.SubscriptionFilter) (where, error) {
	w, err := shopScope("shop_id", filter.ShopID)
	if err != nil {
		return w, err
	}
	if filter.ID != nil {
		w.add("id = ?", *filter.ID)
	}
	if filter.VariantID != nil {
		w.add("variant_id = ?", *filter.VariantID)
	}
	if filter.Status != nil {
		w.add("status = ?", *filter.Status)
	}
	if filter.AfterID != nil {
		w.add("id > ?", *filter.AfterID)
	}
	if filter.Email != nil {
		w.add("email = ?", *filter.Email)
	}
	if filter.Phone != nil {
		w.add("phone = ?", *filter.Phone)
	}
	if filter.Search != nil && strings.TrimSpace(*filter.Search) != "" {
		pattern := "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(*filter.Search))) + "%"
		w.add(`(email LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\')`, pattern, pattern)
	}
	return w, nil
}

// likeEscaper escapes LIKE's wildcards so a search matches them literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// Unsubscribe marks the shop's subscription unsubscribed with an
// EventUnsubscribed event: it leaves the queue, and messages not yet sent
// for it are skipped (those a manual flow holds at once, so that their
// batch no longer counts them). When, and the status it ended, are kept
// for UndoUnsubscribe. Unsubscribing twice changes nothing.
// Returns ENOTFOUND (also for another shop's subscription).
func (db *DB) Unsubscribe(ctx context.Context, shopID, id int64) error {
	_, err := db.EndSubscription(ctx, shopID, id)
	return err
}

// EndSubscription is Unsubscribe reporting whether this call ended the
// subscription (the row it changed): false, recording nothing, when it
// was unsubscribed already. Calls racing to end one subscription (a
// one-click and a removal on the unsubscribe page) wait for its row lock,
// so exactly one is told it ended it: an Undo restores only what its
// removal ended.
func (db *DB) EndSubscription(ctx context.Context, shopID, id int64) (bool, error) {
	var ended bool
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		ended, err = endSubscription(ctx, tx, shopID, id)
		return err
	})
	return ended && err == nil, err
}

// endSubscription unsubscribes within tx, reporting whether it changed the
// row: held messages and the subscription are locked first, in the order a
// batch's approval takes them.
func endSubscription(ctx context.Context, tx *Tx, shopID, id int64) (bool, error) {
	held, err := lockHeldMessages(ctx, tx, shopID, id)
	if err != nil {
		return false, err
	}
	sub, err := lockSubscriptionByID(ctx, tx, shopID, id)
	if err != nil || sub.Status == stockbell.SubscriptionUnsubscribed {
		return false, err
	}
	now := tx.db.now()
	result, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = ?, updated_at = ?, unsubscribed_at = ?, unsubscribed_from = ?
		WHERE id = ? AND shop_id = ? AND status <> ?`), stockbell.SubscriptionUnsubscribed, now, now, sub.Status, id, shopID, stockbell.SubscriptionUnsubscribed)
	if err != nil {
		return false, err
	}
	if n, err := result.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	for _, messageID := range held {
		result := stockbell.MessageResult{ShopID: shopID, MessageID: messageID, Status: stockbell.MessageSkipped,
			Reason: string(stockbell.SkipUnsubscribed), StopFlow: true}
		if _, err := finishMessage(ctx, tx, result, stockbell.MessageHeld); err != nil {
			return false, err
		}
	}
	return true, tx.insertEvent(ctx, subscriptionEvent(sub, stockbell.EventUnsubscribed), EventDetail{"previous_status": sub.Status})
}

// lockHeldMessages locks the subscription's messages a manual flow holds
// and returns their ids. They are locked before the subscription, in the
// order a batch's approval takes them (its messages, then their subscribers).
func lockHeldMessages(ctx context.Context, tx *Tx, shopID, subscriptionID int64) ([]int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM messages WHERE subscription_id = ? AND shop_id = ? AND status = ?
		ORDER BY id`+tx.forUpdate()), subscriptionID, shopID, stockbell.MessageHeld)
	return ids, err
}

// subscriptionEvent is an event about one subscription.
func subscriptionEvent(sub *stockbell.Subscription, kind stockbell.EventKind) stockbell.Event {
	return stockbell.Event{ShopID: sub.ShopID, Kind: kind, VariantID: &sub.VariantID, SubscriptionID: &sub.ID}
}

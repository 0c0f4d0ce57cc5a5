package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// subscriptionWrite is a new subscription waiting in a group batch. The
// batch first inserts, in one statement for all of them, the subscriptions
// that need nothing but their row and their event
// (insertQueuedSubscriptions); each write then takes its row from there or,
// when that statement stored none for it, goes through createSubscription
// alone: a known contact, a purchasable variant, a confirmation to send, an
// unknown variant.
type subscriptionWrite struct {
	create stockbell.SubscriptionCreate
	// direct is set when no channel can await confirmation, except email
	// by the shop's setting (which the statement checks).
	direct bool
	// inserted is the row the batch's statement stored; nil when none.
	inserted *stockbell.Subscription
}

func newSubscriptionWrite(c stockbell.SubscriptionCreate) *subscriptionWrite {
	withoutEmailOptIn := stockbell.ChannelsToConfirm(c.Channels, contact.PhoneRegion(c.Phone), false)
	return &subscriptionWrite{create: c, direct: len(withoutEmailOptIn) == 0}
}

// insertQueuedSubscriptions inserts the direct subscriptions of a batch,
// queued, in one statement, and their EventSubscribed events (with the
// outbound webhooks that report them) in one statement per shop. A row is
// stored only where createSubscription would store that row and nothing
// more: the variant is the shop's and sold out (a purchasable one needs a
// restock job), the shop asks no email confirmation when email is chosen,
// and the contact is not queued or pending for the variant already (the
// partial unique indexes, as in insertSubscription). Of two writes of one
// contact in a batch only the first goes in the statement; the other finds
// the first's row as already queued. Every write's inserted is set afresh,
// since a batch may run again.
func insertQueuedSubscriptions(ctx context.Context, tx *Tx, writes []*subscriptionWrite) error {
	direct, byContact := directWrites(writes)
	if len(direct) == 0 {
		return nil
	}
	now := tx.db.now()
	subs, eventsStored, err := insertDirectSubscriptions(ctx, tx, direct, now, false)
	if err != nil || len(subs) == 0 {
		return err
	}
	if err := takeInserted(subs, byContact); err != nil {
		return err
	}
	return insertSubscribedEvents(ctx, tx, subs, eventsStored, now)
}

// directWrites resets every write's inserted and returns the direct
// ones, the first of each contact, with the writes by contact. The direct
// writes are in variant id order (those of one variant in the order they
// came), the order in which the insert's statement locks their variants:
// a stock change locks its variants in that order too, and a batch that
// took them in the order its posts came could hold a variant such a
// change waits for while it waits for another the change holds.
func directWrites(writes []*subscriptionWrite) ([]*subscriptionWrite, map[subscriptionKey]*subscriptionWrite) {
	var direct []*subscriptionWrite
	byContact := map[subscriptionKey]*subscriptionWrite{}
	for _, w := range writes {
		w.inserted = nil
		k := subscriptionKey{w.create.VariantID, w.create.Email, w.create.Phone}
		if _, seen := byContact[k]; w.direct && !seen {
			byContact[k] = w
			direct = append(direct, w)
		}
	}
	slices.SortStableFunc(direct, func(a, b *subscriptionWrite) int { return cmp.Compare(a.create.VariantID, b.create.VariantID) })
	return direct, byContact
}

// lockBatchVariants takes, on PostgreSQL, the key-share locks of a
// batch on its variants, all at once in id order (lockVariantsInOrderAs):
// its subscriptions' variants, before its insert and its posts that are
// not direct (each of which takes its variant's lock in turn,
// findVariantForSubscription) take them in the order the posts came, and
// requeued, the variants of the subscribers its send steps put back in
// the queue (requeuedVariants), before each step's requeueSubscriber
// takes its own. A batch for one variant, such as a sold-out product's
// burst of sign-ups, has no order to keep and skips the statement.
func lockBatchVariants(ctx context.Context, tx *Tx, writes []*subscriptionWrite, requeued []int64) error {
	lock := tx.forKeyShareOf("variants")
	if lock == "" || len(writes)+len(requeued) < 2 {
		return nil
	}
	ids := slices.Clone(requeued)
	for _, w := range writes {
		ids = append(ids, w.create.VariantID)
	}
	if slices.Min(ids) == slices.Max(ids) {
		return nil
	}
	return lockVariantsInOrderAs(ctx, tx, ids, lock)
}

// takeInserted hands each stored row to the write it was stored for.
func takeInserted(subs []*stockbell.Subscription, byContact map[subscriptionKey]*subscriptionWrite) error {
	for _, s := range subs {
		w := byContact[subscriptionKey{s.VariantID, s.Email, s.Phone}]
		if w == nil || w.inserted != nil {
			return fmt.Errorf("store: subscription %d stored for no request of its batch", s.ID)
		}
		w.inserted = s
		if err := completeInserted(s, &w.create); err != nil {
			return err
		}
	}
	return nil
}

// insertPlainSubscriptions stores a plain batch's subscriptions (see
// groupCommit.commitPlain) and their events in one statement that commits
// on its own, for shops without an enabled outbound webhook endpoint (the
// statement checks it, so that there is no webhook to queue with the
// events). Each write the statement stored has inserted set; the others
// (a shop with endpoints, a contact already queued, a variant in stock, a
// confirmation to send) are left for a transaction. The statement is one
// transaction: when it fails, none of it is stored.
func insertPlainSubscriptions(ctx context.Context, tx *Tx, writes []*subscriptionWrite) error {
	direct, byContact := directWrites(writes)
	subs, _, err := insertDirectSubscriptions(ctx, tx, direct, tx.db.now(), true)
	if err != nil {
		for _, w := range writes {
			w.inserted = nil
		}
		return err
	}
	return takeInserted(subs, byContact)
}

// insertDirectSubscriptions runs the insert and returns the rows stored.
// On PostgreSQL the same statement inserts their EventSubscribed events
// (eventsStored): a data-modifying WITH, one statement and round trip
// fewer per batch.
func insertDirectSubscriptions(ctx context.Context, tx *Tx, writes []*subscriptionWrite, now time.Time, withoutEndpoints bool) (subs []*stockbell.Subscription, eventsStored bool, err error) {
	pg := tx.db.Dialect == Postgres
	// The variant is the shop's and sold out. On PostgreSQL it is found by
	// a LATERAL subquery, a primary-key lookup per new row under the
	// key-share lock (see findVariantForSubscription), whatever the
	// statistics: as a join, the plan made for no batch in particular (see
	// rowSet.plannedOnce) could read every variant for the sold-out ones.
	// The lock is written out rather than tx.forKeyShareOf, which leaves it
	// out of a statement run outside a transaction: a plain batch's
	// statement (insertPlainSubscriptions) needs it as much as any.
	soldOut := `v.tracked AND v.inventory_policy <> ? AND v.stock <= 0`
	from := `FROM new_subscription n JOIN variants v ON v.id = n.variant_id AND v.shop_id = n.shop_id WHERE ` + soldOut + ` AND`
	if pg {
		from = `FROM new_subscription n CROSS JOIN LATERAL (SELECT v.id FROM variants v WHERE v.id = n.variant_id
				AND v.shop_id = n.shop_id AND ` + soldOut + ` FOR KEY SHARE OF v) v WHERE`
		if withoutEndpoints {
			from += ` NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.shop_id = n.shop_id AND e.disabled_at IS NULL) AND`
		}
	}
	insert := `INSERT INTO subscriptions (shop_id, variant_id, email, phone,
			channels, status, awaiting, locale, sms_consent, sms_consent_text, marketing_consent, consent_ip, source, created_at, updated_at)
			SELECT n.shop_id, n.variant_id, n.email, n.phone, n.channels, ` + tx.typed("TEXT") + `, '', n.locale, n.sms_consent,
				n.sms_consent_text, n.marketing_consent, n.consent_ip, n.source, ` + tx.typed("TIMESTAMPTZ") + `, ` + tx.typed("TIMESTAMPTZ") + `
			` + from + ` (NOT n.with_email OR NOT COALESCE((SELECT
				s.email_double_opt_in FROM restock_settings s WHERE s.shop_id = n.shop_id), FALSE))
			ON CONFLICT DO NOTHING RETURNING id, variant_id, email, phone, created_at`
	err = directSubscriptionRows(writes, pg).each(tx, func(with string, args []any, _, _ int) error {
		args = append(args, stockbell.SubscriptionQueued, now, now, stockbell.InventoryContinue)
		query := `WITH ` + with + ` ` + insert
		if pg {
			// Each stored row is one request's (one per contact), found
			// again by its contact for the detail encoded in Go.
			query = `WITH ` + with + `, stored AS (` + insert + `, shop_id), subscribed AS (INSERT INTO events (shop_id, kind,
				variant_id, subscription_id, detail, created_at) SELECT s.shop_id, CAST(? AS TEXT), s.variant_id, s.id, n.detail,
				CAST(? AS TIMESTAMPTZ) FROM stored s JOIN new_subscription n ON n.shop_id = s.shop_id AND n.variant_id = s.variant_id
				AND n.email = s.email AND n.phone = s.phone ORDER BY s.id)
			SELECT id, variant_id, email, phone, created_at FROM stored`
			args = append(args, stockbell.EventSubscribed, now)
		}
		rows, err := tx.QueryxContext(ctx, tx.Rebind(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s := new(stockbell.Subscription)
			if err := rows.Scan(&s.ID, &s.VariantID, &s.Email, &s.Phone, &s.CreatedAt); err != nil {
				return err
			}
			subs = append(subs, s)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close() // outside a transaction, the statement's commit
	})
	return subs, pg, err
}

// completeInserted fills in a row the batch stored from its request: the
// statement returns only what tells the rows apart and what the database
// decides (the id, the time as stored), the rest is what it was given.
// Fewer columns read back, and one time parsed instead of two, in the
// group writer, the one goroutine every post waits on.
func completeInserted(s *stockbell.Subscription, c *stockbell.SubscriptionCreate) error {
	s.ShopID, s.Status, s.Awaiting, s.Locale = c.ShopID, stockbell.SubscriptionQueued, nil, c.Locale
	s.SMSConsent, s.SMSConsentText, s.MarketingConsent = c.SMSConsent, c.SMSConsentText, c.MarketingConsent
	s.ConsentIP, s.Source, s.NotifiedAt, s.UpdatedAt = c.ConsentIP, c.Source, nil, s.CreatedAt
	return s.Channels.Scan(channelsText(c.Channels))
}

// directSubscriptionRows holds the writes' requests column by column, with
// their subscribed events' details when withDetails.
func directSubscriptionRows(writes []*subscriptionWrite, withDetails bool) *rowSet {
	n := len(writes)
	shops, variants := make([]int64, n), make([]int64, n)
	emails, phones, channels, locales := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	consentTexts, ips, sources := make([]string, n), make([]string, n), make([]string, n)
	smsConsents, marketing, withEmail := make([]bool, n), make([]bool, n), make([]bool, n)
	for i, w := range writes {
		c := w.create
		shops[i], variants[i] = c.ShopID, c.VariantID
		emails[i], phones[i], channels[i], locales[i] = c.Email, c.Phone, channelsText(c.Channels), c.Locale
		consentTexts[i], ips[i], sources[i] = c.SMSConsentText, c.ConsentIP, c.Source
		smsConsents[i], marketing[i], withEmail[i] = c.SMSConsent, c.MarketingConsent, c.Channels.Has(stockbell.ChannelEmail)
	}
	rows := newRowSet("new_subscription").plannedOnce().int64s("shop_id", shops).int64s("variant_id", variants).
		texts("email", emails).texts("phone", phones).texts("channels", channels).texts("locale", locales).
		bools("sms_consent", smsConsents).texts("sms_consent_text", consentTexts).bools("marketing_consent", marketing).
		texts("consent_ip", ips).texts("source", sources).bools("with_email", withEmail)
	if !withDetails {
		return rows
	}
	details := make([]string, n)
	for i, w := range writes {
		stored := stockbell.Subscription{Source: w.create.Source}
		_ = stored.Channels.Scan(channels[i]) // a string always scans
		details[i] = encodeSubscribedDetail(&stored)
	}
	return rows.texts("detail", details)
}

// channelsText is the channels as stored (Channels.Value).
func channelsText(c stockbell.Channels) string {
	text, _ := c.Value()
	return text.(string)
}

// subscriptionKey is a contact for a variant, which is queued once.
type subscriptionKey struct {
	variantID    int64
	email, phone string
}

// insertSubscribedEvents records the EventSubscribed event of each new
// subscription, created at, one statement per shop, with the detail
// createSubscription gives it, and queues the outbound webhooks that
// report them; when stored, the events are in already and only the
// webhooks are queued.
func insertSubscribedEvents(ctx context.Context, tx *Tx, subs []*stockbell.Subscription, stored bool, at time.Time) error {
	byShop := map[int64][]eventRow{}
	var shops []int64
	for _, s := range subs {
		if _, seen := byShop[s.ShopID]; !seen {
			shops = append(shops, s.ShopID)
		}
		e := eventRow{ShopID: s.ShopID, Kind: stockbell.EventSubscribed, VariantID: s.VariantID, SubscriptionID: s.ID,
			Detail: subscribedDetail(s)}
		if !stored {
			e.EncodedDetail = encodeSubscribedDetail(s)
		}
		byShop[s.ShopID] = append(byShop[s.ShopID], e)
	}
	for _, shopID := range shops {
		if stored {
			if err := queueWebhooksOf(ctx, tx, byShop[shopID], at); err != nil {
				return err
			}
		} else if err := insertEvents(ctx, tx, byShop[shopID], at); err != nil {
			return err
		}
	}
	return nil
}

// subscribedDetail is the detail of a subscription's EventSubscribed.
func subscribedDetail(sub *stockbell.Subscription) EventDetail {
	return EventDetail{"channels": sub.Channels, "source": sub.Source}
}

// encodeSubscribedDetail is json.Marshal(subscribedDetail(sub)), written
// out without a map's reflection and sorted keys: the group writer encodes
// one for every new subscription of its batch.
func encodeSubscribedDetail(sub *stockbell.Subscription) string {
	b := make([]byte, 0, 64)
	b = append(b, `{"channels":`...)
	if sub.Channels == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, ch := range sub.Channels {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(ch))
		}
		b = append(b, ']')
	}
	b = append(b, `,"source":`...)
	b = appendJSONString(b, sub.Source)
	return string(append(b, '}'))
}

// appendJSONString appends s as encoding/json writes it: plain printable
// ASCII as it is, anything else (quotes, backslashes, control and HTML
// characters, non-ASCII) through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s)
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

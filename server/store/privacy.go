package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

var _ stockbell.PrivacyService = (*DB)(nil)

const privacyMessageColumns = `id, shop_id, subscription_id, step, channel, recipient, status, attempts,
	provider_id, error, segments, due_at, created_at, sent_at`

// ContactData returns the contact's subscriptions in the shop (matched by
// email and/or phone), the messages and confirmation requests sent to it
// and the events about it: those of its subscriptions and those whose
// detail names it (as a whole: see eventsNaming); and the stored texts
// naming it that RedactContact would empty or rewrite (storedTextsNaming).
// Returns EINVALID when the contact has neither email nor phone.
func (db *DB) ContactData(ctx context.Context, asNamed stockbell.Contact) (*stockbell.ContactData, error) {
	contact, err := normalizeContact(asNamed)
	if err != nil {
		return nil, err
	}
	data := &stockbell.ContactData{Contact: contact, Subscriptions: []*stockbell.Subscription{},
		Messages: []*stockbell.Message{}, Events: []*stockbell.Event{}, Confirmations: []*stockbell.Confirmation{}}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		m, err := contactRows(ctx, tx, contact)
		if err != nil {
			return err
		}
		// subscriptionColumns are every column of a subscription: a data
		// request reports them all.
		if err := tx.SelectContext(ctx, &data.Subscriptions, tx.Rebind(`SELECT `+subscriptionColumns+`
			FROM subscriptions WHERE shop_id = ? AND `+m.subscriptions+` ORDER BY id`), m.args...); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &data.Messages, tx.Rebind(`SELECT `+privacyMessageColumns+`
			FROM messages WHERE shop_id = ? AND `+m.messages+` ORDER BY id`), m.messageArgs...); err != nil {
			return err
		}
		// A confirmation names its subscription and recipient as a message does.
		if err := tx.SelectContext(ctx, &data.Confirmations, tx.Rebind(`SELECT `+confirmationColumns+`
			FROM confirmations WHERE shop_id = ? AND `+m.messages+` ORDER BY id`), m.messageArgs...); err != nil {
			return err
		}
		needles := contactNeedles(asNamed, contact)
		if data.Events, err = contactEvents(ctx, tx, m, needles); err != nil {
			return err
		}
		data.StoredTexts, err = storedTextsNaming(ctx, tx, contact.ShopID, needles)
		return err
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// contactEvents returns the events of the contact's subscriptions and
// those naming it, once each, oldest first.
func contactEvents(ctx context.Context, tx *Tx, m match, needles []string) ([]*stockbell.Event, error) {
	events := []*stockbell.Event{}
	if err := tx.SelectContext(ctx, &events, tx.Rebind(`SELECT `+eventColumns+`
		FROM events WHERE shop_id = ? AND `+m.events+` ORDER BY id`), m.eventArgs...); err != nil {
		return nil, err
	}
	naming, err := eventsNaming(ctx, tx, m.shopID, needles)
	if err != nil {
		return nil, err
	}
	for _, e := range naming {
		if !slices.ContainsFunc(events, func(have *stockbell.Event) bool { return have.ID == e.ID }) {
			events = append(events, e)
		}
	}
	slices.SortFunc(events, func(a, b *stockbell.Event) int { return cmp.Compare(a.ID, b.ID) })
	return events, nil
}

// RedactContact erases the contact's personal data in the shop, in one
// transaction: messages addressed to it, events about its subscriptions or
// naming it in their detail (as a whole: see eventsNaming), confirmations
// (with their consent records) of its subscriptions or addressed to it,
// and the development outbox's copies of what was sent to it are deleted,
// then its subscriptions, then their messages and events again
// (deleteSubscriptions: those a send step wrote meanwhile), each locked in
// the order other writers lock it (deleteContactRows); the outbound
// webhooks the job queue holds lose the contact, and so do the errors it
// recorded for the shop's jobs (eraseFromJobs); the payloads of stored
// webhook receipts that name its email or phone are emptied, and their
// last processing errors lose the contact. Nothing that names the contact
// remains, and nothing of a contact whose address or number merely holds
// this one's as a part (joann@… for ann@…) goes. Returns EINVALID as
// ContactData.
func (db *DB) RedactContact(ctx context.Context, asNamed stockbell.Contact) error {
	contact, err := normalizeContact(asNamed)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		m, err := contactRows(ctx, tx, contact)
		if err != nil {
			return err
		}
		needles := contactNeedles(asNamed, contact)
		if err := deleteEventsNaming(ctx, tx, contact.ShopID, needles); err != nil {
			return err
		}
		if err := deleteContactRows(ctx, tx, m); err != nil {
			return err
		}
		if err := deleteSubscriptions(ctx, tx, contact.ShopID, m); err != nil {
			return err
		}
		// After the subscriptions: a send step that held one of them
		// queued its webhooks, and recorded its errors, before the delete
		// could go on.
		if err := eraseFromJobs(ctx, tx, contact.ShopID, needles); err != nil {
			return err
		}
		if err := blankWebhookPayloads(ctx, tx, contact.ShopID, needles); err != nil {
			return err
		}
		return eraseFromReceiptErrors(ctx, tx, contact.ShopID, needles)
	})
}

// deleteContactRows deletes the contact's events, messages, confirmations
// and outbox copies, its subscriptions left to deleteSubscriptions. The
// locks are taken in the order every other writer takes them (see
// lockorder.go): messages, in id order, before their subscriptions (a
// send step, an approval, Unsubscribe and StopSMS hold a message and then
// its subscriber; StopSMS and a batch's approval hold several messages,
// taken in id order), and the subscriptions before their confirmations
// (lockConfirmation); taken the other way round, an erasure and one of
// them on the same rows would each wait for the other.
func deleteContactRows(ctx context.Context, tx *Tx, m match) error {
	statements := []struct {
		query string
		args  []any
	}{
		{`DELETE FROM events WHERE shop_id = ? AND ` + m.events, m.eventArgs},
		// A delete locks rows in the order it finds them: the messages
		// are locked in id order first, as StopSMS and approvals lock them.
		{lockMessagesInOrder(tx, m.messages), m.messageArgs},
		{`DELETE FROM messages WHERE shop_id = ? AND ` + m.messages, m.messageArgs},
		// Locks the subscriptions, and those of confirmations addressed to the contact.
		{`SELECT id FROM subscriptions WHERE shop_id = ? AND (` + m.subscriptions + ` OR id IN (SELECT subscription_id
			FROM confirmations WHERE shop_id = ? AND ` + m.recipients + `)) ORDER BY id` + tx.forUpdate(),
			append(slices.Clone(m.args), m.recipientArgs...)},
		{`DELETE FROM confirmations WHERE shop_id = ? AND ` + m.messages, m.messageArgs},
		{`DELETE FROM dev_outbox WHERE shop_id = ? AND ` + m.recipients, m.recipientArgs},
	}
	for _, s := range statements {
		if _, err := tx.ExecContext(ctx, tx.Rebind(s.query), s.args...); err != nil {
			return err
		}
	}
	return nil
}

// deleteEventsNaming deletes the shop's events whose detail names the
// contact.
func deleteEventsNaming(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	naming, err := eventsNaming(ctx, tx, shopID, needles)
	if err != nil {
		return err
	}
	ids := make([]int64, len(naming))
	for i, e := range naming {
		ids[i] = e.ID
	}
	return inChunks(ids, func(chunk []any) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM events WHERE shop_id = ? AND id IN (`+placeholders(len(chunk))+`)`),
			append([]any{shopID}, chunk...)...)
		return err
	})
}

// deleteSubscriptions deletes the contact's subscriptions, then their
// messages and events. A send step writing a subscription's outcome and
// next message holds locks the delete waits for (the message's row, and
// the subscription's key-share lock in continueFlow); the messages and
// events are read after it, so that those the step wrote go too (on
// PostgreSQL neither has a key to subscriptions whose cascade would delete
// them).
func deleteSubscriptions(ctx context.Context, tx *Tx, shopID int64, m match) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(`DELETE FROM subscriptions WHERE shop_id = ? AND `+m.subscriptions+` RETURNING id`),
		m.args...); err != nil || len(ids) == 0 {
		return err
	}
	args := []any{shopID}
	for _, id := range ids {
		args = append(args, id)
	}
	ofSubscriptions := `subscription_id IN (` + placeholders(len(ids)) + `)`
	for _, query := range []string{lockMessagesInOrder(tx, ofSubscriptions), `DELETE FROM messages WHERE shop_id = ? AND ` + ofSubscriptions,
		`DELETE FROM events WHERE shop_id = ? AND ` + ofSubscriptions} {
		if _, err := tx.ExecContext(ctx, tx.Rebind(query), args...); err != nil {
			return err
		}
	}
	return nil
}

// lockMessagesInOrder is the statement that locks the shop's messages
// matching where (its arguments the shop's id and where's), on PostgreSQL,
// in id order, for a delete or update of several of them: such a
// statement locks rows in the order its plan finds them, which an update
// that moved a row (an approval's, a send's) makes other than id order.
func lockMessagesInOrder(tx *Tx, where string) string {
	return `SELECT id FROM messages WHERE shop_id = ? AND ` + where + ` ORDER BY id` + tx.forUpdate()
}

// normalizeContact puts the contact in the form subscriptions store it in
// (contact.Canonical: an international domain in its ASCII form, a phone
// number in E.164), so that a request naming it as the shopper typed it
// finds its rows.
func normalizeContact(c stockbell.Contact) (stockbell.Contact, error) {
	c = contact.Canonical(c)
	if c.Email == "" && c.Phone == "" {
		return c, stockbell.FieldErrorf("contact", "a contact needs an email or a phone number")
	}
	return c, nil
}

// match holds the conditions that find a contact's rows in each table by
// its exact email or phone; each args list starts with the shop id.
// events finds the events of its subscriptions (eventsNaming, those
// naming it). recipients finds what was sent to the contact by address
// alone (the development outbox).
type match struct {
	shopID                                      int64
	subscriptions, messages, events, recipients string
	args, messageArgs, eventArgs, recipientArgs []any
}

// contactRows is the match for a contact's rows in the shop, its
// subscriptions including those STOP left without a contact (stopSMS
// takes the number off a subscription by text alone, which keeps its
// sign-up's consent IP and events) that a confirmation request or a
// message to the contact names.
func contactRows(ctx context.Context, tx *Tx, c stockbell.Contact) (match, error) {
	m := contactMatch(c)
	args := append(append([]any{c.ShopID}, m.recipientArgs...), m.recipientArgs...)
	var stopped []int64
	err := tx.SelectContext(ctx, &stopped, tx.Rebind(`SELECT id FROM subscriptions WHERE shop_id = ? AND email = '' AND phone = ''
		AND id IN (SELECT subscription_id FROM confirmations WHERE shop_id = ? AND `+m.recipients+`
			UNION SELECT subscription_id FROM messages WHERE shop_id = ? AND `+m.recipients+`) ORDER BY id`), args...)
	if err != nil || len(stopped) == 0 {
		return m, err
	}
	return contactMatch(c, stopped...), nil
}

// contactMatch builds the conditions for a contact, its subscriptions
// being those with its email or phone and those with the ids given.
// Empty parts never match.
func contactMatch(c stockbell.Contact, subscriptionIDs ...int64) match {
	var subs, recipients []string
	var values []any
	for _, part := range []struct{ column, value string }{{"email", c.Email}, {"phone", c.Phone}} {
		if part.value != "" {
			subs = append(subs, part.column+" = ?")
			recipients = append(recipients, "?")
			values = append(values, part.value)
		}
	}
	subArgs := slices.Clone(values)
	if len(subscriptionIDs) > 0 {
		subs = append(subs, "id IN ("+placeholders(len(subscriptionIDs))+")")
		for _, id := range subscriptionIDs {
			subArgs = append(subArgs, id)
		}
	}
	subCond := "(" + strings.Join(subs, " OR ") + ")"
	recipientsIn := `recipient IN (` + strings.Join(recipients, ", ") + `)`
	ofSubs := `SELECT id FROM subscriptions WHERE shop_id = ? AND ` + subCond
	idArgs := append([]any{c.ShopID}, subArgs...)
	return match{
		shopID:        c.ShopID,
		subscriptions: subCond,
		args:          idArgs,
		messages:      `(subscription_id IN (` + ofSubs + `) OR ` + recipientsIn + `)`,
		messageArgs:   append(append([]any{c.ShopID}, idArgs...), values...),
		events:        `subscription_id IN (` + ofSubs + `)`,
		eventArgs:     append([]any{c.ShopID}, idArgs...),
		recipients:    recipientsIn,
		recipientArgs: append([]any{c.ShopID}, values...),
	}
}

package store

import (
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
// and the events about it.
// Returns EINVALID when the contact has neither email nor phone.
func (db *DB) ContactData(ctx context.Context, contact stockbell.Contact) (*stockbell.ContactData, error) {
	contact, err := normalizeContact(contact)
	if err != nil {
		return nil, err
	}
	data := &stockbell.ContactData{Contact: contact, Subscriptions: []*stockbell.Subscription{},
		Messages: []*stockbell.Message{}, Events: []*stockbell.Event{}, Confirmations: []*stockbell.Confirmation{}}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		m := contactMatch(contact)
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
		return tx.SelectContext(ctx, &data.Events, tx.Rebind(`SELECT `+eventColumns+`
			FROM events WHERE shop_id = ? AND `+m.events+` ORDER BY id`), m.eventArgs...)
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// RedactContact erases the contact's personal data in the shop, in one
// transaction: messages addressed to it, events about its subscriptions or
// naming it in their detail, confirmations (with their consent records) of
// its subscriptions or addressed to it, and the development outbox's
// copies of what was sent to it are deleted, then its
// subscriptions, then their messages and events again (deleteSubscriptions:
// those a send step wrote meanwhile); the payloads of stored webhook
// receipts that contain its email or phone are emptied. Nothing that names
// the contact remains. Returns EINVALID as ContactData.
func (db *DB) RedactContact(ctx context.Context, asNamed stockbell.Contact) error {
	contact, err := normalizeContact(asNamed)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		m := contactMatch(contact)
		statements := []struct {
			query string
			args  []any
		}{
			{`DELETE FROM events WHERE shop_id = ? AND ` + m.events, m.eventArgs},
			{`DELETE FROM messages WHERE shop_id = ? AND ` + m.messages, m.messageArgs},
			{`DELETE FROM confirmations WHERE shop_id = ? AND ` + m.messages, m.messageArgs},
			{`DELETE FROM dev_outbox WHERE shop_id = ? AND ` + m.recipients, m.recipientArgs},
		}
		for _, s := range statements {
			if _, err := tx.ExecContext(ctx, tx.Rebind(s.query), s.args...); err != nil {
				return err
			}
		}
		if err := deleteSubscriptions(ctx, tx, contact.ShopID, m); err != nil {
			return err
		}
		return blankWebhookPayloads(ctx, tx, contact.ShopID, payloadNeedles(asNamed, contact))
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
	for _, table := range []string{"messages", "events"} {
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM `+table+` WHERE shop_id = ? AND subscription_id IN (`+placeholders(len(ids))+`)`), args...)
		if err != nil {
			return err
		}
	}
	return nil
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

// match holds the conditions that find a contact's rows in each table; each
// args list starts with the shop id. recipients finds what was sent to the
// contact by address alone (the development outbox).
type match struct {
	subscriptions, messages, events, recipients string
	args, messageArgs, eventArgs, recipientArgs []any
}

// contactMatch builds the conditions for a contact. Empty parts never match.
func contactMatch(c stockbell.Contact) match {
	var subs, recipients []string
	var values []any
	for _, part := range []struct{ column, value string }{{"email", c.Email}, {"phone", c.Phone}} {
		if part.value != "" {
			subs = append(subs, part.column+" = ?")
			recipients = append(recipients, "?")
			values = append(values, part.value)
		}
	}
	subCond := "(" + strings.Join(subs, " OR ") + ")"
	recipientsIn := `recipient IN (` + strings.Join(recipients, ", ") + `)`
	ofSubs := `SELECT id FROM subscriptions WHERE shop_id = ? AND ` + subCond
	idArgs := append([]any{c.ShopID}, values...)
	m := match{
		subscriptions: subCond,
		args:          idArgs,
		messages:      `(subscription_id IN (` + ofSubs + `) OR ` + recipientsIn + `)`,
		messageArgs:   append(append([]any{c.ShopID}, idArgs...), values...),
		events:        `(subscription_id IN (` + ofSubs + `)` + strings.Repeat(` OR detail LIKE ? ESCAPE '\'`, len(values)) + `)`,
		eventArgs:     append([]any{c.ShopID}, idArgs...),
		recipients:    recipientsIn,
		recipientArgs: idArgs,
	}
	for _, value := range values {
		m.eventArgs = append(m.eventArgs, "%"+escapeLike(value.(string))+"%")
	}
	return m
}

// escapeLike escapes LIKE's wildcards and the escape character itself.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// payloadNeedles are the spellings of a contact a webhook payload may
// hold: as stored (an international domain in its ASCII form) and as the
// request named it (its Unicode form, as platforms send it), lower-cased.
func payloadNeedles(asNamed, stored stockbell.Contact) []string {
	var needles []string
	for _, v := range []string{stored.Email, asNamed.Email, stored.Phone, asNamed.Phone} {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "" && !slices.Contains(needles, v) {
			needles = append(needles, v)
		}
	}
	return needles
}

// blankWebhookPayloads empties the payloads of the shop's stored webhook
// receipts that contain one of the needles, ignoring ASCII case (a customer
// or erasure webhook names the customer). The rows stay, so that
// deduplication and the processing record are kept.
func blankWebhookPayloads(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	contains := `instr(lower(CAST(payload AS TEXT)), ?) > 0`
	if tx.db.Dialect == Postgres {
		// encode(…, 'escape') reads any bytes as text without failing; the
		// needle is encoded the same way, so non-ASCII characters match.
		contains = `strpos(lower(encode(payload, 'escape')), encode(?, 'escape')) > 0`
	}
	query := tx.Rebind(`UPDATE webhook_receipts SET payload = ? WHERE (shop_id = ? OR (shop_id IS NULL AND domain IN
		(SELECT domain FROM shops WHERE id = ?))) AND ` + contains)
	for _, needle := range needles {
		var arg any = needle
		if tx.db.Dialect == Postgres {
			arg = []byte(needle)
		}
		if _, err := tx.ExecContext(ctx, query, []byte{}, shopID, shopID, arg); err != nil {
			return err
		}
	}
	return nil
}

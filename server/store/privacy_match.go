package store

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// Free text — an event's detail, a webhook's payload, a queued outbound
// webhook — names a contact when it holds the contact's email address or
// phone number as a whole (contact.Mentions): Ann's erasure or data
// request never reaches joann@example.com's rows, nor a number of which
// Ann's is the beginning. The databases find the candidates
// (contactSearch); each is then read here.

// contactNeedles are the spellings of a contact a stored text may hold:
// as stored (an international domain in its ASCII form), with its domain
// in Unicode (as platforms send it) and as the request named it,
// lower-cased.
func contactNeedles(asNamed, stored stockbell.Contact) []string {
	var needles []string
	for _, v := range []string{stored.Email, contact.UnicodeEmail(stored.Email), asNamed.Email, stored.Phone, asNamed.Phone} {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "" && !slices.Contains(needles, v) {
			needles = append(needles, v)
		}
	}
	return needles
}

// mentionsContact reports whether a stored text names one of the needles
// as a whole. A JSON document is read string by string, decoded (keys
// too), so that an escaped character beside the contact (Go writes < as
// \u003c) reads as itself; anything else is read as plain text.
func mentionsContact(doc []byte, needles []string) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return namesContact(string(doc), needles)
		}
		if s, ok := tok.(string); ok && namesContact(s, needles) {
			return true
		}
	}
}

// namesContact reports whether text names one of the needles as a whole.
func namesContact(text string, needles []string) bool {
	for _, n := range needles {
		if contact.Mentions(text, n) {
			return true
		}
	}
	return false
}

// eventsNaming returns the shop's events whose detail names the contact,
// oldest first.
func eventsNaming(ctx context.Context, tx *Tx, shopID int64, needles []string) ([]*stockbell.Event, error) {
	holds, args := searchFor(needles).condition(tx.db.Dialect, "detail", false)
	var candidates []*stockbell.Event
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT `+eventColumns+` FROM events WHERE shop_id = ? AND (`+holds+`) ORDER BY id`),
		append([]any{shopID}, args...)...)
	if err != nil {
		return nil, err
	}
	var naming []*stockbell.Event
	for _, e := range candidates {
		if mentionsContact([]byte(e.Detail), needles) {
			naming = append(naming, e)
		}
	}
	return naming, nil
}

// blankWebhookPayloads empties the payloads of the shop's stored webhook
// receipts that name the contact (a customer or erasure webhook names
// the customer). The rows stay, so that deduplication and the processing
// record are kept.
func blankWebhookPayloads(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	naming, err := receiptsNaming(ctx, tx, shopID, needles, receiptPayload)
	if err != nil {
		return err
	}
	ids := make([]int64, len(naming))
	for i, r := range naming {
		ids[i] = r.ID
	}
	return inChunks(ids, func(chunk []any) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET payload = ? WHERE id IN (`+placeholders(len(chunk))+`)`),
			append([]any{[]byte{}}, chunk...)...)
		return err
	})
}

// eraseFromReceiptErrors takes the contact out of the last processing
// errors of the shop's stored webhook receipts (withoutContact): a
// failure to process a customer's webhook can name the customer, and the
// error stays with the receipt, which is kept for deduplication.
func eraseFromReceiptErrors(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	naming, err := receiptsNaming(ctx, tx, shopID, needles, receiptLastError)
	if err != nil {
		return err
	}
	for _, r := range naming {
		text, _ := withoutContact(string(r.Text), needles)
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET last_error = ? WHERE id = ?`), text, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// receiptText is one text of a stored webhook receipt.
type receiptText struct {
	ID         int64              `db:"id"`
	Platform   stockbell.Platform `db:"platform"`
	Topic      string             `db:"topic"`
	ReceivedAt time.Time          `db:"received_at"`
	Text       []byte             `db:"text"`
}

// receiptField is a text column of webhook_receipts: its name, and how
// the shop's receipts that name a contact are told in it.
type receiptField struct {
	column string
	bytes  bool // stored as bytes (BYTEA on PostgreSQL)
	names  func(text []byte, needles []string) bool
}

var (
	// receiptPayload is a receipt's payload, bytes as received, read as
	// JSON where it is (mentionsContact).
	receiptPayload = receiptField{"payload", true, mentionsContact}
	// receiptLastError is the error of a receipt's last processing attempt.
	receiptLastError = receiptField{"last_error", false, func(text []byte, needles []string) bool {
		return namesContact(string(text), needles)
	}}
)

// receiptsNaming returns the shop's stored webhook receipts (those of a
// shop not yet known when received included, by their domain) whose
// field names the contact, with that text, oldest first.
func receiptsNaming(ctx context.Context, tx *Tx, shopID int64, needles []string, field receiptField) ([]receiptText, error) {
	text, escaped := `CAST(`+field.column+` AS TEXT)`, false
	if tx.db.Dialect == Postgres && field.bytes {
		// encode(…, 'escape') reads any bytes as text without failing.
		text, escaped = `encode(`+field.column+`, 'escape')`, true
	}
	holds, args := searchFor(needles).condition(tx.db.Dialect, text, escaped)
	var candidates []receiptText
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT id, platform, topic, received_at, `+field.column+` AS text
		FROM webhook_receipts WHERE (shop_id = ? OR (shop_id IS NULL AND domain IN (SELECT domain FROM shops WHERE id = ?)))
		AND (`+holds+`) ORDER BY id`), append([]any{shopID, shopID}, args...)...)
	if err != nil {
		return nil, err
	}
	var naming []receiptText
	for _, c := range candidates {
		if field.names(c.Text, needles) {
			naming = append(naming, c)
		}
	}
	return naming, nil
}

// idChunk is how many ids one statement names: well under either
// database's limit on parameters.
const idChunk = 500

// inChunks calls fn with the ids, idChunk at a time, as arguments.
func inChunks(ids []int64, fn func(chunk []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), idChunk)
		chunk := make([]any, n)
		for i, id := range ids[:n] {
			chunk[i] = id
		}
		if err := fn(chunk); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

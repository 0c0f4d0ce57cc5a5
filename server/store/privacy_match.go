package store

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"

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
	text, escaped := `CAST(payload AS TEXT)`, false
	if tx.db.Dialect == Postgres {
		// encode(…, 'escape') reads any bytes as text without failing.
		text, escaped = `encode(payload, 'escape')`, true
	}
	holds, args := searchFor(needles).condition(tx.db.Dialect, text, escaped)
	var candidates []struct {
		ID      int64  `db:"id"`
		Payload []byte `db:"payload"`
	}
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT id, payload FROM webhook_receipts WHERE (shop_id = ? OR
		(shop_id IS NULL AND domain IN (SELECT domain FROM shops WHERE id = ?))) AND (`+holds+`)`), append([]any{shopID, shopID}, args...)...)
	if err != nil {
		return err
	}
	var ids []int64
	for _, c := range candidates {
		if mentionsContact(c.Payload, needles) {
			ids = append(ids, c.ID)
		}
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
	holds, args := searchFor(needles).condition(tx.db.Dialect, "last_error", false)
	var candidates []struct {
		ID        int64  `db:"id"`
		LastError string `db:"last_error"`
	}
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT id, last_error FROM webhook_receipts WHERE (shop_id = ? OR
		(shop_id IS NULL AND domain IN (SELECT domain FROM shops WHERE id = ?))) AND (`+holds+`)`), append([]any{shopID, shopID}, args...)...)
	if err != nil {
		return err
	}
	for _, c := range candidates {
		text, changed := withoutContact(c.LastError, needles)
		if !changed {
			continue
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_receipts SET last_error = ? WHERE id = ?`), text, c.ID); err != nil {
			return err
		}
	}
	return nil
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

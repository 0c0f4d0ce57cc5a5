package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// Free text — an event's detail, a webhook's payload, a queued outbound
// webhook — names a contact when it holds the contact's email address or
// phone number as a whole (contact.Mentions): Ann's erasure or data
// request never reaches joann@example.com's rows, nor a number of which
// Ann's is the beginning. The databases find the candidates, text holding
// one of the contact's spellings ignoring case; each is then read here.

// contactNeedles are the spellings of a contact a stored text may hold:
// as stored (an international domain in its ASCII form) and as the
// request named it (its Unicode form, as platforms send it), lower-cased.
func contactNeedles(asNamed, stored stockbell.Contact) []string {
	var needles []string
	for _, v := range []string{stored.Email, asNamed.Email, stored.Phone, asNamed.Phone} {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "" && !slices.Contains(needles, v) {
			needles = append(needles, v)
		}
	}
	return needles
}

// candidateSpellings are the needles as JSON text may spell them, for the
// databases' search: as they are, as Go escapes them (& as \u0026), and
// as PHP does by default (every non-ASCII character as \uXXXX, / as \/),
// the platform modules' language.
func candidateSpellings(needles []string) []string {
	var out []string
	add := func(s string) {
		if s = strings.ToLower(s); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, n := range needles {
		add(n)
		quoted, _ := json.Marshal(n)
		add(string(quoted[1 : len(quoted)-1]))
		var php strings.Builder
		for _, r := range n {
			switch {
			case r == '/':
				php.WriteString(`\/`)
			case r > 0xffff:
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&php, `\u%04x\u%04x`, r1, r2)
			case r > 0x7f:
				fmt.Fprintf(&php, `\u%04x`, r)
			default:
				php.WriteRune(r)
			}
		}
		add(php.String())
	}
	return out
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
	spellings := candidateSpellings(needles)
	args := []any{shopID}
	for _, s := range spellings {
		args = append(args, "%"+escapeLike(s)+"%")
	}
	var candidates []*stockbell.Event
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT `+eventColumns+` FROM events WHERE shop_id = ? AND (`+
		strings.TrimPrefix(strings.Repeat(` OR lower(detail) LIKE ? ESCAPE '\'`, len(spellings)), " OR ")+`) ORDER BY id`), args...)
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

// escapeLike escapes LIKE's wildcards and the escape character itself.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// blankWebhookPayloads empties the payloads of the shop's stored webhook
// receipts that name the contact (a customer or erasure webhook names
// the customer). The rows stay, so that deduplication and the processing
// record are kept.
func blankWebhookPayloads(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	contains := `instr(lower(CAST(payload AS TEXT)), ?) > 0`
	if tx.db.Dialect == Postgres {
		// encode(…, 'escape') reads any bytes as text without failing; the
		// needle is encoded the same way, so non-ASCII characters match.
		contains = `strpos(lower(encode(payload, 'escape')), encode(?, 'escape')) > 0`
	}
	spellings := candidateSpellings(needles)
	args := []any{shopID, shopID}
	for _, s := range spellings {
		if tx.db.Dialect == Postgres {
			args = append(args, []byte(s))
		} else {
			args = append(args, s)
		}
	}
	var candidates []struct {
		ID      int64  `db:"id"`
		Payload []byte `db:"payload"`
	}
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT id, payload FROM webhook_receipts WHERE (shop_id = ? OR
		(shop_id IS NULL AND domain IN (SELECT domain FROM shops WHERE id = ?))) AND (`+
		strings.TrimPrefix(strings.Repeat(" OR "+contains, len(spellings)), " OR ")+`)`), args...)
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
	spellings := candidateSpellings(needles)
	args := []any{shopID, shopID}
	for _, s := range spellings {
		args = append(args, "%"+escapeLike(s)+"%")
	}
	var candidates []struct {
		ID        int64  `db:"id"`
		LastError string `db:"last_error"`
	}
	err := tx.SelectContext(ctx, &candidates, tx.Rebind(`SELECT id, last_error FROM webhook_receipts WHERE (shop_id = ? OR
		(shop_id IS NULL AND domain IN (SELECT domain FROM shops WHERE id = ?))) AND (`+
		strings.TrimPrefix(strings.Repeat(` OR lower(last_error) LIKE ? ESCAPE '\'`, len(spellings)), " OR ")+`)`), args...)
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

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// jobRewriter is a queue that can rewrite its stored jobs' arguments and
// recorded errors in the caller's transaction (jobs.Queue.RewriteArgsTx,
// jobs.Queue.RewriteErrorsTx).
type jobRewriter interface {
	RewriteArgsTx(ctx context.Context, tx *sql.Tx, kind string, holds func(expr string) (string, []any),
		rewrite func(args []byte) ([]byte, bool, error)) (int, error)
	RewriteErrorsTx(ctx context.Context, tx *sql.Tx, shopID int64, holds func(expr string) (string, []any),
		unowned func(kind string, args []byte) (bool, error), rewrite func(text string) (string, bool)) (int, error)
}

// erasedMention is what an erased contact's address or number is
// replaced with in a job's recorded errors.
const erasedMention = "[erased]"

// eraseFromJobs takes the contact out of the shop's jobs that the queue
// holds, pending or finished: out of the outbound webhook deliveries'
// arguments (eraseFromWebhookDeliveries), and out of every job's recorded
// errors (eraseFromJobErrors).
func eraseFromJobs(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	rewriter, ok := tx.db.Queue.(jobRewriter)
	if !ok {
		return fmt.Errorf("store: the job queue cannot erase a contact from queued jobs")
	}
	domain, err := shopDomain(ctx, tx, shopID)
	if err != nil {
		return err
	}
	if err := eraseFromWebhookDeliveries(ctx, tx, rewriter, shopID, domain, needles); err != nil {
		return err
	}
	return eraseFromJobErrors(ctx, tx, rewriter, shopID, domain, needles)
}

// eraseFromWebhookDeliveries takes the contact out of the shop's outbound
// webhook deliveries (WebhookDeliveryJob), which hold a subscriber's
// address in their payload until they are delivered, and, finished, for
// as long as the queue keeps finished jobs. Each delivery naming the
// contact is rewritten, whatever its state, never cancelled or deleted:
// its event still reaches the merchant's endpoint, under the same
// webhook-id, without the contact. A subscription of the contact's loses
// its email and phone both (RedactContact erases the subscription whole);
// any other string naming the contact is emptied. A delivery's attempt
// already running sends what it read.
func eraseFromWebhookDeliveries(ctx context.Context, tx *Tx, rewriter jobRewriter, shopID int64, domain string, needles []string) error {
	_, err := rewriter.RewriteArgsTx(ctx, tx.sqlTx.Tx, stockbell.WebhookDeliveryJob{}.Kind(), searchIn(tx, needles),
		func(args []byte) ([]byte, bool, error) { return eraseFromDelivery(args, shopID, domain, needles) })
	return err
}

// eraseFromJobErrors takes the contact out of the errors the queue
// recorded for the shop's jobs, of any kind and in any state: a mail
// server's refusal ("550 5.1.1 <ann@example.com>: mailbox unavailable")
// or an SMS provider's error names the recipient, and River keeps a job's
// errors for as long as it keeps the job. Each mention of the contact's
// address or number, as a whole, becomes erasedMention; every attempt
// stays recorded, with the rest of its text. A job is the shop's by the
// shop_id of its arguments, or, for a delivery queued before jobs carried
// their shop, by the shop domain its payload names.
func eraseFromJobErrors(ctx context.Context, tx *Tx, rewriter jobRewriter, shopID int64, domain string, needles []string) error {
	_, err := rewriter.RewriteErrorsTx(ctx, tx.sqlTx.Tx, shopID, searchIn(tx, needles), unownedJobOf(domain),
		func(text string) (string, bool) { return withoutContact(text, needles) })
	return err
}

// unownedJobOf reports whether a job whose arguments carry no shop is the
// shop's: a delivery queued before jobs carried their shop is, when its
// payload names the shop's domain.
func unownedJobOf(domain string) func(kind string, args []byte) (bool, error) {
	delivery := stockbell.WebhookDeliveryJob{}.Kind()
	return func(kind string, args []byte) (bool, error) {
		if kind != delivery {
			return false, nil
		}
		return deliveryNamesShop(args, domain)
	}
}

// shopDomain reads the shop's domain.
func shopDomain(ctx context.Context, tx *Tx, shopID int64) (string, error) {
	var domain string
	err := tx.GetContext(ctx, &domain, tx.Rebind(`SELECT domain FROM shops WHERE id = ?`), shopID)
	return domain, err
}

// searchIn is the search for the needles as the job queue takes it: a
// condition on a text expression of the transaction's database.
func searchIn(tx *Tx, needles []string) func(expr string) (string, []any) {
	search := searchFor(needles)
	return func(expr string) (string, []any) { return search.condition(tx.db.Dialect, expr, false) }
}

// withoutContact returns text with every mention of the needles, as a
// whole, replaced by erasedMention, and whether there was any.
func withoutContact(text string, needles []string) (string, bool) {
	changed := false
	for _, n := range needles {
		var c bool
		if text, c = contact.ReplaceMentions(text, n, erasedMention); c {
			changed = true
		}
	}
	return text, changed
}

// eraseFromDelivery returns a delivery's arguments without the contact,
// and whether anything changed. A delivery of another shop is left alone
// (one queued before jobs carried their shop is known by the domain its
// payload names).
func eraseFromDelivery(args []byte, shopID int64, domain string, needles []string) ([]byte, bool, error) {
	var fields map[string]json.RawMessage
	var job stockbell.WebhookDeliveryJob
	if err := json.Unmarshal(args, &fields); err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal(args, &job); err != nil {
		return nil, false, err
	}
	dec := json.NewDecoder(strings.NewReader(job.Payload))
	dec.UseNumber()
	var payload any
	if err := dec.Decode(&payload); err != nil {
		return nil, false, fmt.Errorf("webhook payload: %w", err)
	}
	if job.ShopID != shopID && (job.ShopID != 0 || payloadShop(payload) != domain) {
		return nil, false, nil
	}
	payload, changed := eraseFromValue(payload, needles)
	if !changed {
		return nil, false, nil
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, false, err
	}
	if fields["payload"], err = json.Marshal(string(body)); err != nil {
		return nil, false, err
	}
	out, err := json.Marshal(fields)
	return out, err == nil, err
}

// payloadShop is the shop domain a webhook payload names in its data.
func payloadShop(payload any) string {
	doc, _ := payload.(map[string]any)
	data, _ := doc["data"].(map[string]any)
	shop, _ := data["shop"].(string)
	return shop
}

// eraseFromValue takes the contact out of a decoded JSON value: the email
// and phone of a subscription that is the contact's, and any string that
// names it.
func eraseFromValue(v any, needles []string) (any, bool) {
	changed := false
	switch v := v.(type) {
	case map[string]any:
		if sub, ok := v["subscription"].(map[string]any); ok && subscriptionOf(sub, needles) {
			delete(sub, "email")
			delete(sub, "phone")
			changed = true
		}
		for k, item := range v {
			var c bool
			if v[k], c = eraseFromValue(item, needles); c {
				changed = true
			}
		}
		return v, changed
	case []any:
		for i, item := range v {
			var c bool
			if v[i], c = eraseFromValue(item, needles); c {
				changed = true
			}
		}
		return v, changed
	case string:
		if namesContact(v, needles) {
			return "", true
		}
	}
	return v, false
}

// subscriptionOf reports whether a payload's subscription is the
// contact's: its email or phone is one of the needles.
func subscriptionOf(sub map[string]any, needles []string) bool {
	for _, field := range []string{"email", "phone"} {
		if value, _ := sub[field].(string); value != "" && slices.ContainsFunc(needles, func(n string) bool { return strings.EqualFold(n, value) }) {
			return true
		}
	}
	return false
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// jobArgsRewriter is a queue that can rewrite its stored jobs' arguments
// in the caller's transaction (jobs.Queue.RewriteArgsTx).
type jobArgsRewriter interface {
	RewriteArgsTx(ctx context.Context, tx *sql.Tx, kind string, spellings []string,
		rewrite func(args []byte) ([]byte, bool, error)) (int, error)
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
func eraseFromWebhookDeliveries(ctx context.Context, tx *Tx, shopID int64, needles []string) error {
	rewriter, ok := tx.db.Queue.(jobArgsRewriter)
	if !ok {
		return fmt.Errorf("store: the job queue cannot erase a contact from queued webhooks")
	}
	var domain string
	if err := tx.GetContext(ctx, &domain, tx.Rebind(`SELECT domain FROM shops WHERE id = ?`), shopID); err != nil {
		return err
	}
	_, err := rewriter.RewriteArgsTx(ctx, tx.sqlTx.Tx, stockbell.WebhookDeliveryJob{}.Kind(), candidateSpellings(needles),
		func(args []byte) ([]byte, bool, error) { return eraseFromDelivery(args, shopID, domain, needles) })
	return err
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

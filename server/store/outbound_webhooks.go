package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// reportedEvent is an activity event an outbound webhook may report.
type reportedEvent struct {
	Kind           stockbell.EventKind
	VariantID      *int64
	SubscriptionID *int64
	Detail         EventDetail
	At             time.Time
}

// listeningEndpoint is an enabled endpoint of the shop, with its types.
type listeningEndpoint struct {
	ID     int64  `db:"id"`
	Types  string `db:"event_types"`
	Domain string `db:"domain"`
}

// queueWebhooks inserts a WebhookDeliveryJob per event and enabled
// endpoint of the shop that wants its type, in the transaction that
// records the events. It costs one indexed read when no endpoint listens
// (the usual case); the payloads are built only for endpoints that do.
func queueWebhooks(ctx context.Context, tx *Tx, shopID int64, events []reportedEvent) error {
	if len(events) == 0 || stockbell.WebhookEventOf(events[0].Kind) == "" {
		return nil
	}
	var endpoints []listeningEndpoint
	err := tx.SelectContext(ctx, &endpoints, tx.Rebind(`SELECT e.id, e.event_types, s.domain FROM webhook_endpoints e
		JOIN shops s ON s.id = e.shop_id WHERE e.shop_id = ? AND e.disabled_at IS NULL ORDER BY e.id`), shopID)
	if err != nil || len(endpoints) == 0 {
		return err
	}
	eventType := stockbell.WebhookEventOf(events[0].Kind)
	var wanting []listeningEndpoint
	for _, e := range endpoints {
		if strings.Contains(" "+e.Types+" ", " "+eventType+" ") {
			wanting = append(wanting, e)
		}
	}
	if len(wanting) == 0 {
		return nil
	}
	payloads, err := webhookPayloads(ctx, tx, wanting[0].Domain, eventType, events)
	if err != nil {
		return err
	}
	var jobs []stockbell.JobArgs
	for _, e := range wanting {
		for i, p := range payloads {
			jobs = append(jobs, stockbell.WebhookDeliveryJob{ShopID: shopID, EndpointID: e.ID, MessageID: newWebhookMessageID(),
				Type: eventType, Timestamp: events[i].At.Unix(), Payload: p})
		}
	}
	return tx.insertJobs(ctx, jobs, &stockbell.JobOptions{MaxAttempts: stockbell.WebhookMaxAttempts})
}

// webhookMessageIDs spell message ids in lower-case base32.
var webhookMessageIDs = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newWebhookMessageID returns "msg_" and 128 random bits: the webhook-id
// header, the same on every retry, by which receivers drop duplicates.
func newWebhookMessageID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "msg_" + webhookMessageIDs.EncodeToString(b)
}

// webhookPayloads builds each event's JSON body, as Standard Webhooks
// suggests: {"type", "timestamp", "data"}; data names the shop, the
// subscription and the variant (by the platform's ids) and carries the
// event's detail (batch size, order and revenue…).
func webhookPayloads(ctx context.Context, tx *Tx, shop, eventType string, events []reportedEvent) ([]string, error) {
	subs, variants, err := webhookSubjects(ctx, tx, events)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(events))
	for i, e := range events {
		data := map[string]any{"shop": shop}
		for k, v := range e.Detail {
			data[k] = v
		}
		if e.SubscriptionID != nil {
			data["subscription"] = subs[*e.SubscriptionID]
		}
		if e.VariantID != nil {
			data["variant"] = variants[*e.VariantID]
		}
		raw, err := json.Marshal(map[string]any{"type": eventType, "timestamp": e.At.UTC().Format(time.RFC3339Nano), "data": data})
		if err != nil {
			return nil, err
		}
		out[i] = string(raw)
	}
	return out, nil
}

// webhookSubscription and webhookVariant are how payloads show them.
type webhookSubscription struct {
	ID        int64                        `db:"id" json:"id"`
	Email     string                       `db:"email" json:"email,omitempty"`
	Phone     string                       `db:"phone" json:"phone,omitempty"`
	Channels  stockbell.Channels           `db:"channels" json:"channels"`
	Status    stockbell.SubscriptionStatus `db:"status" json:"status"`
	Locale    string                       `db:"locale" json:"locale,omitempty"`
	CreatedAt time.Time                    `db:"created_at" json:"created_at"`
}

type webhookVariant struct {
	InternalID   int64  `db:"internal_id" json:"-"`
	ID           string `db:"platform_id" json:"id"`
	Title        string `db:"title" json:"title"`
	SKU          string `db:"sku" json:"sku,omitempty"`
	ProductID    string `db:"product_id" json:"product_id"`
	ProductTitle string `db:"product_title" json:"product_title"`
}

// webhookSubjects reads the events' subscriptions and variants, one query each.
func webhookSubjects(ctx context.Context, tx *Tx, events []reportedEvent) (map[int64]*webhookSubscription, map[int64]*webhookVariant, error) {
	var subIDs, variantIDs []any
	seen := map[int64]bool{}
	for _, e := range events {
		if e.SubscriptionID != nil {
			subIDs = append(subIDs, *e.SubscriptionID)
		}
		if e.VariantID != nil && !seen[*e.VariantID] {
			seen[*e.VariantID] = true
			variantIDs = append(variantIDs, *e.VariantID)
		}
	}
	subs := map[int64]*webhookSubscription{}
	variants := map[int64]*webhookVariant{}
	if len(subIDs) > 0 {
		var rows []*webhookSubscription
		err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT id, email, phone, channels, status, locale, created_at
			FROM subscriptions WHERE id IN (`+placeholders(len(subIDs))+`)`), subIDs...)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range rows {
			subs[s.ID] = s
		}
	}
	if len(variantIDs) > 0 {
		var rows []*webhookVariant
		err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT v.id AS internal_id, v.platform_id, v.title, v.sku,
			p.platform_id AS product_id, p.title AS product_title
			FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id IN (`+placeholders(len(variantIDs))+`)`), variantIDs...)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range rows {
			variants[v.InternalID] = v
		}
	}
	return subs, variants, nil
}

package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// queueDelivery inserts an outbound webhook delivery of the payload, as
// the store queues one with an event, and puts its job in the state.
func queueDelivery(t *testing.T, db *store.DB, shopID, endpointID int64, messageID, payload, state string) {
	t.Helper()
	tx, err := db.DB.BeginTx(ctx, nil)
	must(t, err)
	defer tx.Rollback()
	must(t, db.Queue.InsertTx(ctx, tx, stockbell.WebhookDeliveryJob{ShopID: shopID, EndpointID: endpointID,
		MessageID: messageID, Type: "subscription.created", Timestamp: 1, Payload: payload}, nil))
	must(t, tx.Commit())
	if state != "available" {
		finalized := "NULL"
		if state == "completed" || state == "discarded" || state == "cancelled" {
			finalized = "scheduled_at"
		}
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET state = ?, finalized_at = `+finalized+`
			WHERE id = (SELECT MAX(id) FROM river_job)`), state)
		must(t, err)
	}
}

// deliveryPayloads returns the queued deliveries' payloads by message id.
func deliveryPayloads(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, j := range jobArgs(t, db, stockbell.WebhookDeliveryJob{}.Kind()) {
		out[j["message_id"].(string)] = j["payload"].(string)
	}
	return out
}

// TestRedactContactErasesQueuedWebhooks: outbound webhooks hold a
// subscriber's address until they are delivered, and River keeps a job's
// arguments days after it finished. Erasing Ann takes her address and
// number out of every delivery of her shop that names her, whatever its
// state, and keeps the delivery (its event, its id, the rest of its
// data); Joann's deliveries and another shop's are untouched, and no job
// is lost.
func TestRedactContactErasesQueuedWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		endpoint := mustEndpoint(t, db, shop.ID, stockbell.WebhookEventTypes...)
		elsewhere := mustEndpoint(t, db, other.ID, stockbell.WebhookEventTypes...)
		anns := func(id int) string {
			return `{"data":{"shop":"a.myshopify.com","source":"snippet","subscription":{"channels":["email","sms"],"email":"ann@example.com",` +
				`"id":` + string(rune('0'+id)) + `,"phone":"+493012345678","status":"queued"}},"timestamp":"2026-03-01T12:00:00Z","type":"subscription.created"}`
		}
		for _, state := range []string{"available", "scheduled", "retryable", "running", "completed", "discarded", "cancelled"} {
			queueDelivery(t, db, shop.ID, endpoint.ID, "msg_"+state, anns(1), state)
		}
		queueDelivery(t, db, shop.ID, endpoint.ID, "msg_reason", `{"data":{"reason":"550 \u003cAnn@Example.com\u003e: no such user","subscription":`+
			`{"email":"bob@example.com","id":3}},"type":"message.failed"}`, "pending")
		joann := `{"data":{"shop":"a.myshopify.com","subscription":{"email":"joann@example.com","id":2,"phone":"+4930123456789"}},"type":"subscription.created"}`
		queueDelivery(t, db, shop.ID, endpoint.ID, "msg_joann", joann, "available")
		queueDelivery(t, db, other.ID, elsewhere.ID, "msg_elsewhere", anns(1), "available")
		before := deliveryPayloads(t, db)

		// Named by her address alone: her number goes with it, as her
		// subscriptions do.
		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com"}, 8) // every state's, msg_reason

		after := deliveryPayloads(t, db)
		if len(after) != len(before) {
			t.Fatalf("%d deliveries after the erasure, want all %d", len(after), len(before))
		}
		for _, state := range []string{"available", "scheduled", "retryable", "running", "completed", "discarded", "cancelled"} {
			p := after["msg_"+state]
			if strings.Contains(strings.ToLower(p), "ann@") || strings.Contains(p, "+493012345678") {
				t.Errorf("the %s delivery still names her: %s", state, p)
			}
			var doc struct {
				Type string
				Data struct {
					Shop         string
					Subscription map[string]any
				}
			}
			must(t, json.Unmarshal([]byte(p), &doc))
			if doc.Type != "subscription.created" || doc.Data.Shop != "a.myshopify.com" || doc.Data.Subscription["id"] != float64(1) ||
				doc.Data.Subscription["status"] != "queued" {
				t.Errorf("the %s delivery lost more than her contact: %s", state, p)
			}
		}
		if p := after["msg_reason"]; strings.Contains(strings.ToLower(p), "ann@") || !strings.Contains(p, "bob@example.com") {
			t.Errorf("the delivery naming her in a reason: %s", p)
		}
		for _, id := range []string{"msg_joann", "msg_elsewhere"} {
			if after[id] != before[id] {
				t.Errorf("%s changed: %s, was %s", id, after[id], before[id])
			}
		}
	})
}

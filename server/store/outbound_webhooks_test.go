package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func mustEndpoint(t *testing.T, db *store.DB, shopID int64, types ...string) *stockbell.WebhookEndpoint {
	t.Helper()
	e, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shopID, URL: "https://hooks.example.com/" + types[0],
		EventTypes: types}, []byte("sealed"))
	must(t, err)
	return e
}

// deliveries returns the queued webhook deliveries with their payloads decoded.
func deliveries(t *testing.T, db *store.DB) []map[string]any {
	t.Helper()
	jobs := jobArgs(t, db, stockbell.WebhookDeliveryJob{}.Kind())
	for _, j := range jobs {
		var payload map[string]any
		must(t, json.Unmarshal([]byte(j["payload"].(string)), &payload))
		j["payload"] = payload
	}
	return jobs
}

// TestEventsQueueTheirWebhooks: each reported event queues, in its own
// transaction, one delivery per enabled endpoint of its shop that wants
// its type, with the payload fixed then; other shops', disabled and
// uninterested endpoints get nothing.
func TestEventsQueueTheirWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		all := mustEndpoint(t, db, shop.ID, stockbell.WebhookEventTypes...)
		created := mustEndpoint(t, db, shop.ID, stockbell.WebhookSubscriptionCreated)
		off := mustEndpoint(t, db, shop.ID, stockbell.WebhookEventTypes...)
		_, err := db.SetWebhookEndpointEnabled(ctx, shop.ID, off.ID, false)
		must(t, err)
		mustEndpoint(t, db, other.ID, stockbell.WebhookEventTypes...)

		sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: "Ann@Example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		must(t, err)
		got := deliveries(t, db)
		if len(got) != 2 || got[0]["endpoint_id"] != float64(all.ID) || got[1]["endpoint_id"] != float64(created.ID) ||
			got[0]["message_id"] == got[1]["message_id"] || !strings.HasPrefix(got[0]["message_id"].(string), "msg_") {
			t.Fatalf("after a subscription: %v", got)
		}
		payload := got[0]["payload"].(map[string]any)
		data := payload["data"].(map[string]any)
		if payload["type"] != "subscription.created" || data["shop"] != "a.myshopify.com" || data["source"] != "snippet" ||
			data["subscription"].(map[string]any)["email"] != "ann@example.com" || data["variant"].(map[string]any)["id"] != "v1" ||
			data["variant"].(map[string]any)["product_id"] != "p1" || int64(got[0]["timestamp"].(float64)) != clock.Now().Unix() {
			t.Fatalf("payload: %v", got[0])
		}

		_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v1", Available: 4, At: clock.Now()})
		must(t, err)
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: v.ShopID, VariantID: v.ID, Size: 1, Stock: 4, PerUnit: 1, Cutoff: clock.Now()})
		must(t, err)
		_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100})
		must(t, err)
		must(t, db.Unsubscribe(ctx, sub.ShopID, sub.ID))
		got = deliveries(t, db)[2:]
		var types []string
		for _, d := range got {
			if d["endpoint_id"] != float64(all.ID) {
				t.Errorf("endpoint %v got %s", d["endpoint_id"], d["type"])
			}
			types = append(types, d["type"].(string))
		}
		if strings.Join(types, " ") != "restock.batch_sent subscription.notified subscription.unsubscribed" {
			t.Fatalf("queued after the restock: %v", types)
		}
		batchData := got[0]["payload"].(map[string]any)["data"].(map[string]any)
		notified := got[1]["payload"].(map[string]any)["data"].(map[string]any)
		if batchData["batch_id"] != float64(batch.ID) || batchData["size"] != 1.0 || batchData["variant"].(map[string]any)["title"] == "" ||
			notified["subscription"].(map[string]any)["id"] != float64(sub.ID) || notified["channel"] != "email" {
			t.Fatalf("batch %v, notified %v", batchData, notified)
		}
	})
}

// TestConversionWebhookPayload pins the fields of conversion.recorded:
// the shop, subscription and variant, and the conversion's own details,
// the channel of the alert that earned the order among them.
func TestConversionWebhookPayload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newConversionFixture(t, db)
		endpoint := mustEndpoint(t, db, f.shop.ID, stockbell.WebhookConversionRecorded)
		must(t, db.RecordOrder(ctx, f.order("5001", "ada@example.com", f.notifiedAt.Add(time.Hour))))
		got := deliveries(t, db)
		if len(got) != 1 || got[0]["endpoint_id"] != float64(endpoint.ID) || got[0]["type"] != "conversion.recorded" {
			t.Fatalf("deliveries after a converting order: %v", got)
		}
		payload := got[0]["payload"].(map[string]any)
		data := payload["data"].(map[string]any)
		var fields []string
		for k := range data {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		want := "channel conversion_id currency message_id order_id quantity revenue shop subscription variant via"
		if strings.Join(fields, " ") != want || payload["type"] != "conversion.recorded" {
			t.Fatalf("conversion.recorded data has %v, want %s: %v", fields, want, payload)
		}
		if data["channel"] != "email" || data["order_id"] != "5001" || data["quantity"] != 2.0 || data["revenue"] != "50.00" ||
			data["currency"] != "EUR" || data["via"] != "notification" || data["message_id"] != float64(f.adaMessage) ||
			data["shop"] != "conv.myshopify.com" || data["subscription"].(map[string]any)["id"] != float64(f.ada) ||
			data["variant"].(map[string]any)["id"] != "s-1" {
			t.Fatalf("conversion.recorded data: %v", data)
		}
	})
}

// TestFinalFailureDisablesOnlyADeadEndpoint: a failed last attempt
// disables an endpoint that accepted nothing since the message's event
// (with the job that tells the merchant), not one that accepted a later
// message; enabling it again forgets its failures.
func TestFinalFailureDisablesOnlyADeadEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		e := mustEndpoint(t, db, shop.ID, stockbell.WebhookSubscriptionCreated)
		eventAt := clock.Now()
		clock.Add(time.Minute)
		got, err := db.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: e.ID, Error: "the endpoint answered 500", MessageAt: eventAt})
		must(t, err)
		if !got.Enabled() || got.FailingSince == nil {
			t.Fatalf("after one failure: %+v", got)
		}
		clock.Add(11 * time.Hour)
		got, err = db.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: e.ID, Error: "the endpoint answered 500", Final: true, MessageAt: eventAt})
		must(t, err)
		if got.Enabled() || !strings.Contains(got.DisabledReason, "11 hours: the endpoint answered 500") {
			t.Fatalf("after the last attempt failed: %+v", got)
		}
		if jobs := jobArgs(t, db, stockbell.WebhookEndpointDisabledJob{}.Kind()); len(jobs) != 1 || jobs[0]["endpoint_id"] != float64(e.ID) {
			t.Fatalf("disabled jobs: %v", jobs)
		}
		again, err := db.SetWebhookEndpointEnabled(ctx, shop.ID, e.ID, true)
		must(t, err)
		if !again.Enabled() || again.FailingSince != nil || again.DisabledReason != "" {
			t.Fatalf("enabled again: %+v", again)
		}
		_, err = db.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: e.ID, OK: true, MessageAt: clock.Now()})
		must(t, err)
		got, err = db.RecordWebhookDelivery(ctx, stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: e.ID, Error: "timeout", Final: true, MessageAt: eventAt})
		must(t, err)
		if !got.Enabled() {
			t.Fatalf("an endpoint that accepted a later message was disabled: %+v", got)
		}
		_, err = db.SetWebhookEndpointEnabled(ctx, shop.ID+1000, e.ID, false)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.DeleteWebhookEndpoint(ctx, shop.ID+1000, e.ID), stockbell.ENOTFOUND, "")
	})
}

// TestStoreRefusesUnknownWebhookEventTypes: whatever its caller, the store
// keeps only event types the dispatcher matches: an unknown one (or one
// with spaces, or none at all) is EINVALID naming event_types and the
// unknown type, and nothing is stored; the shop's other endpoints and
// another shop's are untouched.
func TestStoreRefusesUnknownWebhookEventTypes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		mustEndpoint(t, db, other.ID, stockbell.WebhookSubscriptionCreated)
		for name, c := range map[string]struct {
			types []string
			want  string
		}{
			"unknown":      {[]string{stockbell.WebhookSubscriptionCreated, "order.paid"}, `"order.paid"`},
			"padded":       {[]string{" subscription.created"}, `" subscription.created"`},
			"two in one":   {[]string{"subscription.created subscription.notified"}, `"subscription.created subscription.notified"`},
			"wrong case":   {[]string{"Subscription.Created"}, `"Subscription.Created"`},
			"empty string": {[]string{""}, `""`},
			"none":         {nil, "at least one"},
		} {
			_, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: "https://hooks.example.com/x",
				EventTypes: c.types}, []byte("sealed"))
			wantCode(t, err, stockbell.EINVALID, "event_types")
			if !strings.Contains(stockbell.ErrorMessage(err), c.want) {
				t.Errorf("%s: message %q does not name %s", name, stockbell.ErrorMessage(err), c.want)
			}
		}
		mine, err := db.FindWebhookEndpoints(ctx, shop.ID)
		must(t, err)
		theirs, err := db.FindWebhookEndpoints(ctx, other.ID)
		must(t, err)
		if len(mine) != 0 || len(theirs) != 1 {
			t.Fatalf("stored after refusals: shop's %+v, other shop's %+v", mine, theirs)
		}
		e := mustEndpoint(t, db, shop.ID, stockbell.WebhookRestockBatchSent, stockbell.WebhookSubscriptionCreated)
		if !e.Wants(stockbell.WebhookRestockBatchSent) || !e.Wants(stockbell.WebhookSubscriptionCreated) {
			t.Fatalf("known types refused or lost: %+v", e)
		}
	})
}

package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// A batch of webhook receipts and storefront posts (on PostgreSQL stored
// without a transaction where it can be, commitPlain) answers each write as
// a transaction of its own would: a new receipt and a new contact on a
// sold-out variant stored with their event; a receipt seen before and a
// contact already queued answered with the stored row, not created; a
// contact on a variant in stock stored with the restock engine's job; a
// contact of a shop with an outbound webhook endpoint stored with the
// webhook that reports it; a contact twice in the batch stored once.
func TestPlainBatchAnswersEachWriteAsAloneWould(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		hooked := install(t, db, stockbell.PlatformShopify, "hooked.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"out": 0, "in": 5})
		product(t, db, hooked.ID, "p2", map[string]int{"h-out": 0})
		out, in, hookedOut := variant(t, db, shop.ID, "out"), variant(t, db, shop.ID, "in"), variant(t, db, hooked.ID, "h-out")
		endpoint := mustEndpoint(t, db, hooked.ID, stockbell.WebhookSubscriptionCreated)
		email := func(v *stockbell.VariantWithProduct, address string) stockbell.SubscriptionCreate {
			return stockbell.SubscriptionCreate{ShopID: v.ShopID, VariantID: v.ID, Email: address,
				Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}
		}
		seen := receipt(&shop.ID, "evt-1")
		_, err := db.RecordReceipt(ctx, seen)
		must(t, err)
		queued, _, err := db.CreateSubscription(ctx, email(out, "ann@example.com"))
		must(t, err)
		jobsBefore := stockJobs(t, db)

		again, fresh := receipt(&shop.ID, "evt-1"), receipt(nil, "evt-2")
		received, subs, created, errs, plain := store.WriteInOneBatch(db, []*stockbell.WebhookReceipt{again, fresh},
			[]stockbell.SubscriptionCreate{email(out, "ann@example.com"), email(out, "bob@example.com"),
				email(in, "cy@example.com"), email(hookedOut, "dee@example.com"), email(out, "eve@example.com"),
				email(out, "bob@example.com")})
		if db.Dialect == store.Postgres && plain != 7 {
			t.Fatalf("commitPlain takes %d of the batch's 8 writes, want all but the repeated contact: this test no longer tests it", plain)
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		if received[0] || again.ID != seen.ID || !received[1] || fresh.ID == 0 || fresh.ShopID == nil || *fresh.ShopID != shop.ID {
			t.Fatalf("receipts: created %v, ids %d (stored %d) and %d, shop %v", received, again.ID, seen.ID, fresh.ID, fresh.ShopID)
		}
		if created[0] || subs[0].ID != queued.ID || !created[1] || !created[2] || !created[3] || !created[4] ||
			created[5] || subs[5].ID != subs[1].ID {
			t.Fatalf("posts: created %v, the queued contact's id %d (stored %d), the repeated one's %d (first %d)",
				created, subs[0].ID, queued.ID, subs[5].ID, subs[1].ID)
		}
		for i, sub := range subs {
			stored, err := db.FindSubscriptionByID(ctx, sub.ShopID, sub.ID)
			must(t, err)
			if stored.Email != sub.Email || stored.VariantID != sub.VariantID || stored.Status != stockbell.SubscriptionQueued {
				t.Fatalf("post %d answered %+v, stored %+v", i, sub, stored)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions`); n != 5 {
			t.Fatalf("%d subscriptions stored, want 5", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'subscribed'`); n != 5 {
			t.Fatalf("%d subscribed events, want 5", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM webhook_receipts`); n != 2 {
			t.Fatalf("%d receipts stored, want 2", n)
		}
		if jobs := stockJobs(t, db); jobs[in.ID] != jobsBefore[in.ID]+1 || jobs[out.ID] != jobsBefore[out.ID] {
			t.Fatalf("restock jobs %v (before %v): want one more for the variant in stock, none for the sold-out one", jobs, jobsBefore)
		}
		webhooks := deliveries(t, db)
		if len(webhooks) != 1 || webhooks[0]["endpoint_id"] != float64(endpoint.ID) ||
			webhooks[0]["payload"].(map[string]any)["data"].(map[string]any)["subscription"].(map[string]any)["email"] != "dee@example.com" {
			t.Fatalf("outbound webhooks queued: %v; want one reporting dee's subscription", webhooks)
		}
	})
}

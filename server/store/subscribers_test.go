package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// queueScenario: shop A's variant v1 is sold out with a, b and c queued a
// minute apart; one unit comes back and a batch of one notifies a; stock
// then falls back to zero. Shop B has a subscriber of its own.
type queueScenario struct {
	shop, other *stockbell.Shop
	variant     *stockbell.VariantWithProduct
	a, b, c, x  *stockbell.Subscription
	restockAt   time.Time
	batch       *stockbell.RestockBatch
}

func newQueueScenario(t *testing.T, db *store.DB) *queueScenario {
	t.Helper()
	clock := useClock(db)
	s := &queueScenario{shop: install(t, db, stockbell.PlatformShopify, "a.myshopify.com"),
		other: install(t, db, stockbell.PlatformShopify, "b.myshopify.com")}
	product(t, db, s.shop.ID, "p1", map[string]int{"v1": 0})
	product(t, db, s.other.ID, "p2", map[string]int{"v2": 0})
	s.variant = variant(t, db, s.shop.ID, "v1")
	subscribe := func(shopID, variantID int64, email, phone string) *stockbell.Subscription {
		channels := stockbell.Channels{stockbell.ChannelEmail}
		if phone != "" {
			channels = append(channels, stockbell.ChannelSMS)
		}
		sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shopID, VariantID: variantID,
			Email: email, Phone: phone, Channels: channels, SMSConsent: phone != ""})
		must(t, err)
		clock.Add(time.Minute)
		return sub
	}
	s.a = subscribe(s.shop.ID, s.variant.ID, "ann@example.com", "")
	s.b = subscribe(s.shop.ID, s.variant.ID, "bea_100%@example.com", "+14155550123")
	s.c = subscribe(s.shop.ID, s.variant.ID, "cy@example.com", "")
	s.x = subscribe(s.other.ID, variant(t, db, s.other.ID, "v2").ID, "bea@other.example", "")
	_, err := db.UpdateSettings(ctx, s.shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(1)})
	must(t, err)
	clock.Add(time.Hour)
	s.restockAt = clock.Now()
	_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: s.shop.ID, VariantPlatformID: "v1", Available: 1, At: clock.Now()})
	must(t, err)
	s.batch, err = db.StartBatch(ctx, stockbell.BatchStart{ShopID: s.variant.ShopID, VariantID: s.variant.ID, Size: 1, Stock: 1, PerUnit: 1, Wait: time.Hour, Cutoff: clock.Now()})
	must(t, err)
	_, err = db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: s.batch.ShopID, BatchID: s.batch.ID, Chunk: 1, Limit: 100})
	must(t, err)
	clock.Add(time.Minute)
	_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: s.shop.ID, VariantPlatformID: "v1", Available: 0, At: clock.Now()})
	must(t, err)
	return s
}

func kinds(events []*stockbell.Event) []stockbell.EventKind {
	var out []stockbell.EventKind
	for _, e := range events {
		out = append(out, e.Kind)
	}
	return out
}

func TestSubscriberTimeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newQueueScenario(t, db)
		tl, err := db.FindSubscriberTimeline(ctx, s.shop.ID, s.b.ID)
		must(t, err)
		if tl.Position != 1 || tl.Queued != 2 || tl.Variant.ID != s.variant.ID || tl.WaitingUntil == nil {
			t.Fatalf("b: position %d of %d, variant %d, waiting until %v; want 1 of 2 with a wait running",
				tl.Position, tl.Queued, tl.Variant.ID, tl.WaitingUntil)
		}
		want := []stockbell.EventKind{stockbell.EventSubscribed, stockbell.EventSettingsChanged, stockbell.EventStockChanged,
			stockbell.EventRestocked, stockbell.EventBatchStarted, stockbell.EventWaitStarted}
		if got := kinds(tl.Events); !equalKinds(got, want) {
			t.Fatalf("b's timeline = %v, want %v (the stock falling back to 0 is not shown)", got, want)
		}
		if len(tl.Messages) != 0 {
			t.Fatalf("b has messages: %+v", tl.Messages)
		}

		tl, err = db.FindSubscriberTimeline(ctx, s.shop.ID, s.a.ID)
		must(t, err)
		if tl.Position != 0 || tl.Subscription.Status != stockbell.SubscriptionNotified || len(tl.Messages) != 1 {
			t.Fatalf("a: position %d, status %s, %d messages", tl.Position, tl.Subscription.Status, len(tl.Messages))
		}
		last := tl.Events[len(tl.Events)-1]
		if last.Kind != stockbell.EventNotified || last.SubscriptionID == nil || *last.SubscriptionID != s.a.ID {
			t.Fatalf("a's timeline ends with %+v, want her notified event", last)
		}
		_, err = db.FindSubscriberTimeline(ctx, s.other.ID, s.a.ID)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

func equalKinds(a, b []stockbell.EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRemoveSubscription(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newQueueScenario(t, db)
		by := stockbell.AdminUser{Email: "owner@example.com"}
		_, err := db.RemoveSubscription(ctx, s.other.ID, s.c.ID, by)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		for _, step := range []struct {
			name string
			id   int64
			want stockbell.SubscriptionStatus
		}{
			{"c", s.c.ID, stockbell.SubscriptionQueued},
			{"c twice: nothing more", s.c.ID, stockbell.SubscriptionCancelled},
			{"a, notified: not queued, unchanged", s.a.ID, stockbell.SubscriptionNotified},
		} {
			if got, err := db.RemoveSubscription(ctx, s.shop.ID, step.id, by); err != nil || got != step.want {
				t.Fatalf("removing %s: it was %q (%v), want %q", step.name, got, err, step.want)
			}
		}
		c, err := db.FindSubscriptionByID(ctx, s.c.ShopID, s.c.ID)
		must(t, err)
		a, err := db.FindSubscriptionByID(ctx, s.a.ShopID, s.a.ID)
		must(t, err)
		if c.Status != stockbell.SubscriptionCancelled || a.Status != stockbell.SubscriptionNotified {
			t.Fatalf("c is %s, a is %s; want cancelled and notified", c.Status, a.Status)
		}
		removed := stockbell.EventRemoved
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &s.shop.ID, Kind: &removed})
		must(t, err)
		if total != 1 || *events[0].SubscriptionID != s.c.ID || events[0].Detail != `{"by":"owner@example.com","previous_status":"queued","removed_by":{"email":"owner@example.com"},"user_id":""}` {
			t.Fatalf("removed events: %d %+v", total, events)
		}
		tl, err := db.FindSubscriberTimeline(ctx, s.shop.ID, s.b.ID)
		must(t, err)
		if tl.Queued != 1 || tl.Position != 1 {
			t.Fatalf("after removing c, b is %d of %d", tl.Position, tl.Queued)
		}
	})
}

func TestFindDemand(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newQueueScenario(t, db)
		product(t, db, s.shop.ID, "p3", map[string]int{"v3": 0})
		quiet := variant(t, db, s.shop.ID, "v3")
		_, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: s.shop.ID, VariantID: quiet.ID,
			Email: "dee@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		must(t, err)
		demand, total, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: s.shop.ID})
		must(t, err)
		if total != 2 || len(demand) != 2 {
			t.Fatalf("demand: %d rows of %d, want 2", len(demand), total)
		}
		top := demand[0]
		if top.Variant.ID != s.variant.ID || top.Queued != 2 || top.LastRestockAt == nil || !top.LastRestockAt.Equal(s.restockAt) ||
			top.LastBatch == nil || top.LastBatch.ID != s.batch.ID || top.LastBatch.Claimed != 1 {
			t.Fatalf("top variant: %+v (batch %+v), want v1 with 2 queued, restocked at %v, batch %d", top, top.LastBatch, s.restockAt, s.batch.ID)
		}
		if top.WaitingUntil == nil || s.batch.WaitingUntil == nil || !top.WaitingUntil.Equal(*s.batch.WaitingUntil) {
			t.Fatalf("top variant waits until %v, want the end of its batch's wait %v", top.WaitingUntil, s.batch.WaitingUntil)
		}
		if demand[1].Variant.ID != quiet.ID || demand[1].LastRestockAt != nil || demand[1].LastBatch != nil || demand[1].WaitingUntil != nil {
			t.Fatalf("second variant: %+v", demand[1])
		}
		page2, total, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: s.shop.ID, Offset: 1, Limit: 1})
		must(t, err)
		if total != 2 || len(page2) != 1 || page2[0].Variant.ID != quiet.ID {
			t.Fatalf("second page: %+v of %d", page2, total)
		}
		other, total, err := db.FindDemand(ctx, stockbell.DemandFilter{ShopID: s.other.ID})
		must(t, err)
		if total != 1 || other[0].Variant.ShopID != s.other.ID {
			t.Fatalf("shop B's demand: %+v of %d", other, total)
		}
	})
}

func TestSearchSubscriptions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newQueueScenario(t, db)
		find := func(search string) []int64 {
			subs, _, err := db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &s.shop.ID, Search: &search})
			must(t, err)
			var ids []int64
			for _, sub := range subs {
				ids = append(ids, sub.ID)
			}
			return ids
		}
		cases := []struct {
			search string
			want   []int64
		}{
			{"BEA", []int64{s.b.ID}}, // case-insensitive, and shop B's bea is not found
			{"100%", []int64{s.b.ID}},
			{"_", []int64{s.b.ID}}, // a literal underscore, not "any character"
			{"%", []int64{s.b.ID}},
			{"4155550123", []int64{s.b.ID}},
			{"example.com", []int64{s.a.ID, s.b.ID, s.c.ID}},
			{"nobody", nil},
		}
		for _, c := range cases {
			if got := find(c.search); len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Errorf("search %q = %v, want %v", c.search, got, c.want)
			}
		}
	})
}

package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestFindEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com") // event 1: installed
		other := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0, "v2": 0})
		v1, v2 := variant(t, db, shop.ID, "v1"), variant(t, db, shop.ID, "v2")
		since := clock.Now().Add(time.Minute)
		for i, v := range []*stockbell.VariantWithProduct{v1, v2, v1} {
			clock.Add(time.Minute)
			apply(t, db, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: v.PlatformID, Available: i + 1, At: clock.Now()})
		}
		clock.Add(time.Minute)
		_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(1)})
		must(t, err)

		all, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID})
		must(t, err)
		if total != 5 || len(all) != 5 {
			t.Fatalf("%d of %d events, want 5", len(all), total)
		}
		for i := 1; i < len(all); i++ {
			if all[i].CreatedAt.After(all[i-1].CreatedAt) || (all[i].CreatedAt.Equal(all[i-1].CreatedAt) && all[i].ID > all[i-1].ID) {
				t.Fatalf("events not newest first at %d: %v then %v", i, all[i-1].CreatedAt, all[i].CreatedAt)
			}
		}
		if all[0].Kind != stockbell.EventSettingsChanged || all[4].Kind != stockbell.EventShopInstalled {
			t.Fatalf("newest %s, oldest %s", all[0].Kind, all[4].Kind)
		}
		byVariant, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, VariantID: &v1.ID})
		must(t, err)
		if total != 2 || *byVariant[0].VariantID != v1.ID {
			t.Fatalf("events of v1 = %d", total)
		}
		_, total, err = db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Since: &since})
		must(t, err)
		if total != 4 {
			t.Fatalf("events since the first stock change = %d, want 4", total)
		}
		kind := stockbell.EventStockChanged
		page, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Kind: &kind, Offset: 1, Limit: 1})
		must(t, err)
		if total != 3 || len(page) != 1 || *page[0].VariantID != v2.ID {
			t.Fatalf("second stock event page = %d of %d", len(page), total)
		}
		sub := insertSubscription(t, db, shop.ID, v1.ID, "ann@example.com", "", stockbell.SubscriptionQueued)
		_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, subscription_id, detail, created_at) VALUES (?, ?, ?, '{}', ?)`),
			shop.ID, stockbell.EventSubscribed, sub, clock.Now())
		must(t, err)
		bySub, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, SubscriptionID: &sub})
		must(t, err)
		if total != 1 || bySub[0].Kind != stockbell.EventSubscribed {
			t.Fatalf("events of the subscription = %d", total)
		}
		_, total, err = db.FindEvents(ctx, stockbell.EventFilter{ShopID: &other.ID})
		must(t, err)
		if total != 1 {
			t.Fatalf("the other shop has %d events, want its install only", total)
		}
		_, _, err = db.FindEvents(ctx, stockbell.EventFilter{SubscriptionID: &sub})
		wantCode(t, err, stockbell.EINVALID, "shop_id")
	})
}

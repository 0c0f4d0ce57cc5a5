package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// platformT is a time on the platform's clock; the tests put Stockbell's
// clock elsewhere on purpose, so that any comparison between the two shows.
var platformT = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// readLevels stores what a read of the platform found for variant v1 at the
// default location, as a catalog sync does.
func readLevels(t *testing.T, db *store.DB, shopID int64, available int, platformAt time.Time) {
	t.Helper()
	read, err := db.BeginStockRead(ctx)
	must(t, err)
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shopID, PlatformID: "p1", Title: "Lamp", Published: true,
		Read: &read, Source: "test:sync", Variants: []stockbell.VariantUpsert{{PlatformID: "v1", InventoryItemID: "inv-v1",
			Tracked: true, Levels: []stockbell.LocationLevel{{Available: available, UpdatedAt: platformAt}}}}})
	must(t, err)
}

func push(shopID int64, available int, at time.Time) stockbell.StockChange {
	return stockbell.StockChange{ShopID: shopID, VariantPlatformID: "v1", Available: available, At: at, Source: "test:webhook"}
}

// rereadLevel plays the platform answering a re-read.
func rereadLevel(t *testing.T, db *store.DB, shopID int64, available int, platformAt time.Time) *stockbell.StockResult {
	t.Helper()
	read, err := db.BeginStockRead(ctx)
	must(t, err)
	c := push(shopID, available, platformAt)
	c.Read, c.Source = &read, "test:reread"
	return apply(t, db, c)
}

// eventDetails returns the variant's events of a kind, oldest first.
func eventDetails(t *testing.T, db *store.DB, v *stockbell.VariantWithProduct, kind stockbell.EventKind) []map[string]any {
	t.Helper()
	events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &v.ShopID, VariantID: &v.ID, Kind: &kind})
	must(t, err)
	out := make([]map[string]any, len(events))
	for i, e := range events {
		must(t, json.Unmarshal([]byte(e.Detail), &out[len(events)-1-i]))
	}
	return out
}

// TestPushInTheSecondOfARead: a read at T, then a change made after it
// within the same second, reported with Shopify's whole-second updated_at.
// Stockbell's clock stands 5 s ahead of the platform's.
func TestPushInTheSecondOfARead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		clock.Add(platformT.Add(5*time.Second).Sub(clock.Now()) + 300*time.Millisecond)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		readLevels(t, db, shop.ID, 0, platformT.Add(-time.Hour)) // sold out an hour before the read
		v := variant(t, db, shop.ID, "v1")
		subscribe(t, db, shop.ID, v.ID, "waiting@example.com", "")
		jobsBefore := stockJobs(t, db)[v.ID]

		r := apply(t, db, push(shop.ID, 2, platformT))
		if !r.Applied || r.NewStock != 2 || r.Reread {
			t.Fatalf("restock in the read's second = %+v, want applied", r)
		}
		if jobs := stockJobs(t, db); jobs[v.ID] != jobsBefore+1 {
			t.Fatalf("stock jobs = %v, want one more for the engine", jobs)
		}
		levels, err := db.FindInventoryLevels(ctx, v.ShopID, v.ID)
		must(t, err)
		l := levels[0]
		if l.PlatformUpdatedAt == nil || !l.PlatformUpdatedAt.Equal(platformT) || l.Origin != stockbell.LevelChange || !l.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("stored level %+v: want the platform's time %v apart from Stockbell's %v", l, platformT, clock.Now())
		}
	})
}

// TestPushInTheSecondOfTheReadLevel: when the level the read saw changed in
// the same second as the webhook's change, the two cannot be ordered: the
// change is re-read, not dropped, and the event says so.
func TestPushInTheSecondOfTheReadLevel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		readLevels(t, db, shop.ID, 0, platformT)
		v := variant(t, db, shop.ID, "v1")

		r := apply(t, db, push(shop.ID, 2, platformT))
		if r.Applied || !r.Reread || !strings.Contains(r.Reason, "same second") || r.NewStock != 0 {
			t.Fatalf("restock in the read level's second = %+v, want a re-read", r)
		}
		rereads := eventDetails(t, db, v, stockbell.EventStockChangeReread)
		if len(rereads) != 1 || rereads[0]["available"] != 2.0 || rereads[0]["stored_available"] != 0.0 || rereads[0]["source"] != "test:webhook" {
			t.Fatalf("re-read events = %v", rereads)
		}
		// The platform answers the re-read with the restock.
		if r := rereadLevel(t, db, shop.ID, 2, platformT); !r.Applied || r.NewStock != 2 {
			t.Fatalf("re-read = %+v, want the restock applied", r)
		}
	})
}

// TestOlderPushAfterAReadWithoutTime: a read that carries no platform time
// cannot make any change stale; an older-second change is re-read and the
// platform's answer wins, whether it confirms the change or not.
func TestOlderPushAfterAReadWithoutTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		readLevels(t, db, shop.ID, 0, time.Time{})
		v := variant(t, db, shop.ID, "v1")

		r := apply(t, db, push(shop.ID, 2, platformT.Add(-2*time.Second)))
		if r.Applied || !r.Reread || !strings.Contains(r.Reason, "without a platform time") {
			t.Fatalf("older change after a read without time = %+v, want a re-read", r)
		}
		if r := rereadLevel(t, db, shop.ID, 2, time.Time{}); !r.Applied || r.NewStock != 2 {
			t.Fatalf("re-read = %+v, want the restock applied", r)
		}
		// A stale change: the platform says the level is 0 again.
		r = apply(t, db, push(shop.ID, 7, platformT.Add(-3*time.Second)))
		if !r.Reread {
			t.Fatalf("second older change = %+v, want a re-read", r)
		}
		if r := rereadLevel(t, db, shop.ID, 0, time.Time{}); !r.Applied || r.NewStock != 0 {
			t.Fatalf("re-read = %+v, want the platform's 0", r)
		}
		if n := len(eventDetails(t, db, v, stockbell.EventStockChangeReread)); n != 2 {
			t.Fatalf("%d re-read events, want 2", n)
		}
	})
}

// TestReadInFlight: levels written while a read was in flight are kept
// unless the platform's times show the read is newer; a read begun after
// them supersedes them.
func TestReadInFlight(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		readLevels(t, db, shop.ID, 0, platformT.Add(-time.Hour))
		v := variant(t, db, shop.ID, "v1")
		inFlight, err := db.BeginStockRead(ctx)
		must(t, err)
		apply(t, db, push(shop.ID, 2, platformT)) // the restock arrives while the read is in flight

		stale := push(shop.ID, 0, platformT.Add(-time.Hour))
		stale.Read, stale.Source = &inFlight, "test:reconcile"
		if r := apply(t, db, stale); r.Applied || r.NewStock != 2 || !strings.Contains(r.Reason, "in flight") {
			t.Fatalf("in-flight read older than the restock = %+v, want it ignored", r)
		}
		ignored := eventDetails(t, db, v, stockbell.EventStockChangeIgnored)
		if len(ignored) != 1 || ignored[0]["source"] != "test:reconcile" || ignored[0]["read"] != true || ignored[0]["stored_available"] != 2.0 {
			t.Fatalf("ignored events = %v", ignored)
		}
		newer := stale
		newer.At = platformT.Add(time.Second)
		if r := apply(t, db, newer); !r.Applied || r.NewStock != 0 {
			t.Fatalf("in-flight read newer than the restock = %+v, want it applied", r)
		}
		if r := rereadLevel(t, db, shop.ID, 4, platformT.Add(-time.Hour)); !r.Applied || r.NewStock != 4 {
			t.Fatalf("read begun after every write = %+v, want it applied whatever its time", r)
		}
	})
}

// TestBeginStockReadOrdersWrites: every read and every level write takes
// a later number than the last.
func TestBeginStockReadOrdersWrites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		first, err := db.BeginStockRead(ctx)
		must(t, err)
		readLevels(t, db, shop.ID, 0, platformT)
		second, err := db.BeginStockRead(ctx)
		must(t, err)
		levels, err := db.FindInventoryLevels(ctx, shop.ID, variant(t, db, shop.ID, "v1").ID)
		must(t, err)
		if !(first.Seq < levels[0].Seq && levels[0].Seq < second.Seq) {
			t.Fatalf("read %d, level %d, read %d: not in order", first.Seq, levels[0].Seq, second.Seq)
		}
	})
}

package store_test

import (
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		s, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		if *s != stockbell.DefaultRestockSettings(shop.ID) {
			t.Fatalf("settings of a new shop = %+v, want the defaults", s)
		}
		_, err = db.FindSettings(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")

		s, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(3), Wait: ptr(90 * time.Minute)})
		must(t, err)
		if s.MinInventory != 1 || s.PerUnit != 3 || s.Wait != 90*time.Minute || !s.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("updated settings = %+v", s)
		}
		s, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(5)})
		must(t, err)
		stored, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		if stored.MinInventory != 5 || stored.PerUnit != 3 || stored.Wait != 90*time.Minute || stored.ShopID != shop.ID {
			t.Fatalf("stored settings = %+v, want both updates merged", stored)
		}
		kind := stockbell.EventSettingsChanged
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID, Kind: &kind})
		must(t, err)
		if total != 2 {
			t.Fatalf("%d settings events, want 2", total)
		}
		var detail map[string]any
		must(t, json.Unmarshal([]byte(events[1].Detail), &detail))
		if w, ok := detail["wait"].([]any); !ok || w[0] != "1h0m0s" || w[1] != "1h30m0s" || detail["per_unit"] == nil || detail["min_inventory"] != nil {
			t.Fatalf("first settings event detail = %v", detail)
		}
		unchanged, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(5), PerUnit: ptr(3)})
		must(t, err)
		if unchanged.MinInventory != 5 || count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, kind) != 2 {
			t.Fatalf("an update that changes nothing recorded an event or returned %+v", unchanged)
		}
		_, err = db.UpdateSettings(ctx, 9999, stockbell.SettingsUpdate{PerUnit: ptr(1)})
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

func TestSettingsValidationStoresNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		cases := map[string]stockbell.SettingsUpdate{
			"min_inventory": {MinInventory: ptr(0), PerUnit: ptr(2)},
			"per_unit":      {PerUnit: ptr(-1)},
			"wait":          {PerUnit: ptr(2), Wait: ptr(time.Second)},
		}
		for field, update := range cases {
			_, err := db.UpdateSettings(ctx, shop.ID, update)
			wantCode(t, err, stockbell.EINVALID, field)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM restock_settings`); n != 0 {
			t.Fatalf("%d settings rows stored by invalid updates", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, stockbell.EventSettingsChanged); n != 0 {
			t.Fatalf("%d settings events recorded for invalid updates", n)
		}
		_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(2)})
		must(t, err)
		_, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(7), Wait: ptr(31 * 24 * time.Hour)})
		wantCode(t, err, stockbell.EINVALID, "wait")
		if s, _ := db.FindSettings(ctx, shop.ID); s.PerUnit != 2 || s.Wait != time.Hour {
			t.Fatalf("a rejected update changed stored settings: %+v", s)
		}
	})
}

// TestLoweringTheMinimumRechecksVariantsNowAboveIt: lowering the minimum
// inventory wakes the restock engine for the variants someone waits for
// whose stock reached the new minimum but not the old one, held back by
// their last decision; not for the others, and raising it wakes none.
func TestLoweringTheMinimumRechecksVariantsNowAboveIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(5)})
		must(t, err)
		product(t, db, shop.ID, "p1", map[string]int{"one": 1, "three": 3, "four": 4, "seven": 7})
		id := func(platformID string) int64 { return variant(t, db, shop.ID, platformID).ID }
		for _, v := range []string{"one", "three", "seven"} {
			subscribe(t, db, shop.ID, id(v), "shopper-"+v+"@example.com", "")
		}
		before := stockJobs(t, db)
		more := func(want map[string]int) {
			t.Helper()
			jobs := stockJobs(t, db)
			for _, v := range []string{"one", "three", "four", "seven"} {
				if got := jobs[id(v)] - before[id(v)]; got != want[v] {
					t.Fatalf("variant %s: %d more stock jobs, want %d (jobs %v, before %v)", v, got, want[v], jobs, before)
				}
			}
		}
		_, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(2)})
		must(t, err)
		more(map[string]int{"three": 1})
		_, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(6)})
		must(t, err)
		more(map[string]int{"three": 1})
		_, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(1)})
		must(t, err)
		more(map[string]int{"one": 1, "three": 2})
	})
}

// TestConcurrentSettingsUpdatesMerge: on PostgreSQL an update that comes
// while another holds the shop's settings waits for it and merges into
// its result, rather than writing back what it read before.
func TestConcurrentSettingsUpdatesMerge(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
	_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(3)})
	must(t, err)
	must(t, afterWaitingFor(t, db, `UPDATE restock_settings SET per_unit = 7 WHERE shop_id = $1`, []any{shop.ID}, func() error {
		_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{Wait: ptr(2 * time.Hour)})
		return err
	}))
	s, err := db.FindSettings(ctx, shop.ID)
	must(t, err)
	if s.PerUnit != 7 || s.Wait != 2*time.Hour {
		t.Fatalf("settings after two updates at once = per unit %d, wait %s; want 7 and 2h0m0s", s.PerUnit, s.Wait)
	}
}

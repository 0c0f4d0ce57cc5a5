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
			// One good field with a bad one stores neither.
			"quiet_hours_start": {QuietHours: ptr(false), QuietHoursStart: ptr("9pm")},
			"quiet_hours_end":   {QuietHoursEnd: ptr("24:00")},
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

// TestUpdateSettingsSetsTheTimeItStores: the change time UpdateSettings
// answers is the one a later FindSettings reads, to the nanosecond, on
// both databases (PostgreSQL keeps microseconds, SQLite what it is
// given), and each change is later than the one before even when the
// clock has not moved, so a version seen before a change never matches
// after it.
func TestUpdateSettingsSetsTheTimeItStores(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		clock.Add(1500 * time.Nanosecond)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		var times []time.Time
		for perUnit := range 3 {
			updated, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(perUnit + 1)})
			must(t, err)
			stored, err := db.FindSettings(ctx, shop.ID)
			must(t, err)
			if stored.UpdatedAt.UnixNano() != updated.UpdatedAt.UnixNano() {
				t.Fatalf("UpdateSettings answered the change time %v, FindSettings reads %v", updated.UpdatedAt, stored.UpdatedAt)
			}
			if n := len(times); n > 0 && !updated.UpdatedAt.After(times[n-1]) {
				t.Fatalf("a change at the same clock time was made at %v, the one before at %v", updated.UpdatedAt, times[n-1])
			}
			times = append(times, updated.UpdatedAt)
		}
	})
}

// TestUpdateSettingsIfUnchangedRefusesSettingsChangedSince: a change made
// from the settings as they were read is stored; a second change made from
// that same reading, after the first was stored, is refused as a conflict
// and stores nothing, even one that is also invalid or changes nothing.
func TestUpdateSettingsIfUnchangedRefusesSettingsChangedSince(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		read, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		first, err := db.UpdateSettingsIfUnchanged(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(3)}, read.UpdatedAt) // never stored: zero
		must(t, err)

		clock.Add(time.Minute)
		for _, late := range []stockbell.SettingsUpdate{{PerUnit: ptr(5)}, {PerUnit: ptr(-1)}, {PerUnit: ptr(3)}} {
			_, err = db.UpdateSettingsIfUnchanged(ctx, shop.ID, late, read.UpdatedAt)
			wantCode(t, err, stockbell.ECONFLICT, "")
		}
		stored, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		if stored.PerUnit != 3 || !stored.UpdatedAt.Equal(first.UpdatedAt) || count(t, db, `SELECT COUNT(*) FROM events WHERE kind = ?`, stockbell.EventSettingsChanged) != 1 {
			t.Fatalf("after the refused changes the settings are %+v (the first change stored %+v)", stored, first)
		}
		again, err := db.UpdateSettingsIfUnchanged(ctx, shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(5)}, stored.UpdatedAt)
		must(t, err)
		if again.PerUnit != 5 || !again.UpdatedAt.After(stored.UpdatedAt) {
			t.Fatalf("a change made from the stored settings stored %+v", again)
		}
		_, err = db.UpdateSettingsIfUnchanged(ctx, 9999, stockbell.SettingsUpdate{PerUnit: ptr(1)}, time.Time{})
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// firstSettingsRow stores a shop's first settings row, per unit 7, as a
// first change of its settings does, for a test that holds it uncommitted.
const firstSettingsRow = `INSERT INTO restock_settings (shop_id, min_inventory, per_unit, wait, attribution_window,
	time_zone, email_double_opt_in, updated_at) VALUES ($1, 1, 7, 3600000000000, 604800000000000, 'UTC', FALSE, now())`

// TestFirstSettingsChangesAtOnce: on PostgreSQL, a first change of a
// shop's settings that comes while another first change is being stored
// (no row to lock yet) waits for it; an unconditional one merges into
// its result, and one made from the never-stored settings is refused as a
// conflict, rather than either writing the defaults it read back over it.
func TestFirstSettingsChangesAtOnce(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	merged := install(t, db, stockbell.PlatformShopify, "merged.myshopify.com")
	must(t, afterWaitingFor(t, db, firstSettingsRow, []any{merged.ID}, func() error {
		_, err := db.UpdateSettings(ctx, merged.ID, stockbell.SettingsUpdate{Wait: ptr(2 * time.Hour)})
		return err
	}))
	if s, err := db.FindSettings(ctx, merged.ID); err != nil || s.PerUnit != 7 || s.Wait != 2*time.Hour {
		t.Fatalf("settings after two first changes at once = %+v (%v); want per unit 7 and wait 2h0m0s", s, err)
	}

	refused := install(t, db, stockbell.PlatformShopify, "refused.myshopify.com")
	err := afterWaitingFor(t, db, firstSettingsRow, []any{refused.ID}, func() error {
		_, err := db.UpdateSettingsIfUnchanged(ctx, refused.ID, stockbell.SettingsUpdate{Wait: ptr(2 * time.Hour)}, time.Time{})
		return err
	})
	wantCode(t, err, stockbell.ECONFLICT, "")
	if s, err := db.FindSettings(ctx, refused.ID); err != nil || s.PerUnit != 7 || s.Wait != time.Hour {
		t.Fatalf("settings after a refused first change = %+v (%v); want the other change's alone", s, err)
	}
}

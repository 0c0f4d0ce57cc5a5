package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUpdateFlowIfUnchangedRefusesAFlowChangedSince: a change made from
// the flow as it was read is stored; a second change made from that same
// reading, after the first was stored, is refused as a conflict and
// stores nothing.
func TestUpdateFlowIfUnchangedRefusesAFlowChangedSince(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		read, err := db.FindFlow(ctx, shop.ID)
		must(t, err)
		first := stockbell.DefaultFlow(shop.ID)
		first.Steps[0].Subject = "From the first tab"
		must(t, db.UpdateFlowIfUnchanged(ctx, first, read.UpdatedAt)) // never stored: zero

		clock.Add(time.Minute)
		second := stockbell.DefaultFlow(shop.ID)
		second.Steps[0].Subject = "From the second tab"
		wantCode(t, db.UpdateFlowIfUnchanged(ctx, second, read.UpdatedAt), stockbell.ECONFLICT, "")
		stored, err := db.FindFlow(ctx, shop.ID)
		must(t, err)
		if stored.Steps[0].Subject != "From the first tab" {
			t.Fatalf("after the refused change the flow's subject is %q", stored.Steps[0].Subject)
		}
		second.Steps[0].Subject = "From the second tab, again"
		must(t, db.UpdateFlowIfUnchanged(ctx, second, stored.UpdatedAt))
	})
}

// TestUpdateFlowSetsTheTimeItStores: the change time UpdateFlow sets on
// the flow is the one a later FindFlow reads, to the nanosecond, on both
// databases (PostgreSQL keeps microseconds, SQLite what it is given),
// and each save of a flow is later than the one before even when the
// clock has not moved, so a version seen before a save never matches
// after it.
func TestUpdateFlowSetsTheTimeItStores(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		clock.Add(1500 * time.Nanosecond)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		var times []time.Time
		for range 3 {
			flow := stockbell.DefaultFlow(shop.ID)
			must(t, db.UpdateFlow(ctx, flow))
			stored, err := db.FindFlow(ctx, shop.ID)
			must(t, err)
			if stored.UpdatedAt.UnixNano() != flow.UpdatedAt.UnixNano() {
				t.Fatalf("UpdateFlow set the change time %v, FindFlow reads %v", flow.UpdatedAt, stored.UpdatedAt)
			}
			if n := len(times); n > 0 && !flow.UpdatedAt.After(times[n-1]) {
				t.Fatalf("a save at the same clock time was changed at %v, the one before at %v", flow.UpdatedAt, times[n-1])
			}
			times = append(times, flow.UpdatedAt)
		}
		wantCode(t, db.UpdateFlowIfUnchanged(ctx, stockbell.DefaultFlow(shop.ID), times[1]), stockbell.ECONFLICT, "")
		must(t, db.UpdateFlowIfUnchanged(ctx, stockbell.DefaultFlow(shop.ID), times[2]))
	})
}

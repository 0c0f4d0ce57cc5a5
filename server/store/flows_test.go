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

package store_test

import (
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// An applied change's stock-changed event holds, byte for byte, what
// encoding/json writes of its detail, whatever its location and source
// hold (PostgreSQL writes the level, the stock and the event in one
// statement, splicing the new stock into the detail), and the stock is the
// sum of the levels, the one written included.
func TestStockChangedEventDetailIsEncodingJSON(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, v := awaitedSoldOut(t, db)
		at := clock.Now().Add(-time.Minute)
		changes := []stockbell.StockChange{
			{LocationID: `par"is`, Available: 3, At: at.Add(123456 * time.Nanosecond), Source: `feed ,"old_stock":1,`},
			{LocationID: "lyon</script>&", Available: -2, Source: "café \u2028 \\ \x01"},
			{LocationID: `par"is`, Available: 7, At: at.Add(time.Second), Source: ""},
		}
		oldStock, levels := 0, map[string]int{}
		var want []string
		for _, c := range changes {
			c.ShopID, c.VariantPlatformID = shop.ID, "v1"
			r := apply(t, db, c)
			levels[c.LocationID] = c.Available
			newStock := 0
			for _, available := range levels {
				newStock += available
			}
			if !r.Applied || r.OldStock != oldStock || r.NewStock != newStock || r.Variant.Stock != newStock {
				t.Fatalf("change %+v = %+v, want applied from %d to %d", c, r, oldStock, newStock)
			}
			var stamp *time.Time
			if !c.At.IsZero() {
				utc := c.At.UTC().Truncate(time.Microsecond)
				stamp = &utc
			}
			raw, err := json.Marshal(map[string]any{"old_stock": oldStock, "new_stock": newStock, "location_id": c.LocationID,
				"available": c.Available, "disconnected": false, "source": c.Source, "at": stamp})
			must(t, err)
			want = append(want, string(raw))
			oldStock = newStock
		}
		if got := variant(t, db, shop.ID, "v1"); got.Stock != oldStock {
			t.Fatalf("stored stock %d, want %d", got.Stock, oldStock)
		}
		kind := stockbell.EventStockChanged
		events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &v.ShopID, VariantID: &v.ID, Kind: &kind})
		must(t, err)
		if len(events) != len(want) {
			t.Fatalf("%d stock events, want %d", len(events), len(want))
		}
		for i, e := range events { // newest first
			if w := want[len(want)-1-i]; e.Detail != w {
				t.Errorf("event %d detail\n got %s\nwant %s", e.ID, e.Detail, w)
			}
		}
	})
}

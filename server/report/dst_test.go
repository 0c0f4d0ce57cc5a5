package report_test

import (
	"bytes"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// santiago starts summer time at midnight: on 7 September 2025 the clocks
// go from 00:00 straight to 01:00, so that day begins at 01:00 (04:00 UTC).
var santiago = mustZone("America/Santiago")

// TestDaysBeginWhenMidnightIsSkipped: a day whose midnight a clock change
// skips begins when the clocks jump, so the evening before it is still
// counted (and exported) on the day before, never lost or moved.
func TestDaysBeginWhenMidnightIsSkipped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "santiago.myshopify.com")
		zone := santiago.String()
		_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{TimeZone: &zone})
		must(t, err)
		addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
		mug := findVariant(t, db, shop.ID, "m-1")
		late := time.Date(2025, 9, 6, 23, 30, 0, 0, santiago) // 03:30 UTC on the 7th
		early := time.Date(2025, 9, 7, 1, 30, 0, 0, santiago) // 04:30 UTC, the 7th's first hour
		subscribe(t, db, shop.ID, mug.ID, "late@example.com", "", "email", stockbell.SubscriptionQueued, late, true)
		subscribe(t, db, shop.ID, mug.ID, "early@example.com", "", "email", stockbell.SubscriptionQueued, early, true)
		clock.Add(time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC).Sub(clock.Now()))
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}

		sixth, seventh := time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 7, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			day     time.Time
			contact string
		}{{sixth, "late@example.com"}, {seventh, "early@example.com"}} {
			q := report.ActivityQuery{Days: report.Days{From: c.day, To: c.day}}
			got, err := reports.Activity(ctx, shop.ID, q)
			must(t, err)
			if got.Totals.Subscribed != 1 {
				t.Errorf("%s: %d subscribed, want 1", got.From, got.Totals.Subscribed)
			}
			var buf bytes.Buffer
			must(t, reports.WriteActivityCSV(ctx, &buf, shop.ID, q, report.CSVOptions{}))
			rows := readCSV(t, buf.String(), false)
			if len(rows) != 2 || rows[1][1] != got.From || rows[1][9] != c.contact {
				t.Errorf("%s: export %q, want one row: %s's subscription on that day", got.From, rows, c.contact)
			}
		}
	})
}

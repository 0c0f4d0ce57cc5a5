package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDashboardCountsAndCharts: the dashboard counts the shop's shoppers
// waiting now and, over the last 30 days, its subscriptions,
// notifications, clicks, restocks and batches, drawn as SVG charts that
// are described in words and given day by day as tables; another shop's
// activity is not counted.
func TestDashboardCountsAndCharts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		ctx := context.Background()
		for _, shop := range []*stockbell.Shop{w.shop, w.other} { // both shops restock; only A's counts
			if _, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "v-m", Available: 1, At: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.variant.ShopID, VariantID: w.variant.ID, Size: 1, Stock: 1, PerUnit: 1, Wait: time.Hour, Cutoff: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		var message int64
		if err := db.DB.Get(&message, db.DB.Rebind(`SELECT id FROM messages WHERE shop_id = ?`), w.shop.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordClick(ctx, message); err != nil {
			t.Fatal(err)
		}

		p := f.signIn(t, w.shop).get("/admin")
		wantStatus(t, p, http.StatusOK, "the dashboard")
		text := visibleText(p.Body)
		for _, want := range []string{
			"2 shoppers are waiting for a restock now", "3 subscribed in the last 30 days", "1 notified in the last 30 days",
			"1 click on alerts in the last 30 days",
			"Subscribed, notified and clicked (3 subscribed, 1 notified, 1 clicked in the last 30 days)",
			"Restocks and batches (1 restock, 1 batch in the last 30 days)",
			"Bars per day over the last 30 days; the top of the chart is 4. 3 subscribed, 1 notified, 1 clicked.",
			"Subscribed: 3 Notified: 1 Clicked: 1", "Restocks: 1 Batches: 1",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("dashboard lacks %q:\n%s", want, text)
			}
		}
		// Each chart is an image named by its caption and description, with its table.
		for _, id := range []string{"activity", "restocks"} {
			if !strings.Contains(p.Body, `role="img" aria-labelledby="`+id+`-title `+id+`-desc"`) ||
				!strings.Contains(p.Body, `id="`+id+`-title"`) || !strings.Contains(p.Body, `id="`+id+`-desc"`) {
				t.Errorf("chart %s is not an image named by its caption and description", id)
			}
		}
		today := f.clock.Now().UTC().Format("Mon 2 Jan")
		days := regexp.MustCompile(`<tr><th scope="row">([^<]+)</th>((?:<td class="num"[^>]*>\d+</td>)+)</tr>`).FindAllStringSubmatch(p.Body, -1)
		if len(days) != 60 {
			t.Fatalf("%d table rows, want 30 days in each of the two tables", len(days))
		}
		cells := regexp.MustCompile(`\d+`)
		if got := cells.FindAllString(days[29][2], -1); days[29][1] != today || strings.Join(got, " ") != "3 1 1" {
			t.Errorf("activity table's last row %q %v, want today %q: 3 1 1", days[29][1], got, today)
		}
		if got := cells.FindAllString(days[59][2], -1); days[59][1] != today || strings.Join(got, " ") != "1 1" {
			t.Errorf("restocks table's last row %q %v, want today %q: 1 1", days[59][1], got, today)
		}
	})
}

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

// TestProductsInDemand lists the variants of the session's shop that
// shoppers wait for, most wanted first, each with its waiting count, its
// stock, its last restock and its last batch; shop B's shoppers are not
// counted.
func TestProductsInDemand(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		ctx := context.Background()
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p2", Title: "Linen Scarf", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "scarf", Title: "Default Title", SKU: "LS-1", Tracked: true,
				InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
		if err != nil {
			t.Fatal(err)
		}
		scarf, err := db.FindVariant(ctx, w.shop.ID, "scarf")
		if err != nil {
			t.Fatal(err)
		}
		subscribe := func(email string) {
			t.Helper()
			if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: scarf.ID, Email: email,
				Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Minute)
		}
		// The scarf comes back with 4 units; a batch notifies Dee, who
		// waited; Eve subscribes after it and waits.
		subscribe("dee@example.com")
		f.clock.Add(time.Hour)
		restockedAt := f.clock.Now()
		if _, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "scarf", Available: 4, At: restockedAt}); err != nil {
			t.Fatal(err)
		}
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: scarf.ShopID, VariantID: scarf.ID, Size: 8, Stock: 4, PerUnit: 2, Wait: time.Hour, Cutoff: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		subscribe("eve@example.com")

		p := f.signIn(t, w.shop).get("/admin/products")
		wantStatus(t, p, http.StatusOK, "products in demand")
		rows := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">.*?</tr>`).FindAllString(p.Body, -1)
		if len(rows) < 2 {
			t.Fatalf("%d rows, want the sweater and the scarf:\n%s", len(rows), p.Body)
		}
		sweater, scarfRow := visibleText(rows[0]), visibleText(rows[1])
		for _, want := range []string{"Wool Sweater – M", "SKU WS-M", " 3 ", "0 sold out", "never", "none yet"} {
			if !strings.Contains(sweater, want) {
				t.Errorf("first row %q lacks %q", sweater, want)
			}
		}
		restock := restockedAt.UTC().Format("2 Jan 2006, 15:04 UTC")
		for _, want := range []string{"Linen Scarf", "SKU LS-1", " 1 ", " 4 ", restock, "8 shoppers from 4 units, 1 notified"} {
			if !strings.Contains(scarfRow, want) {
				t.Errorf("second row %q lacks %q", scarfRow, want)
			}
		}
		if strings.Contains(scarfRow, "Default Title") || len(rows) != 2 {
			t.Errorf("rows: %q", rows)
		}
	})
}

// TestProductsInDemandSayOneShopperPerUnit: with one customer to notify
// per unit, the page's rules say "1 shopper per unit", not "1 shoppers".
func TestProductsInDemandSayOneShopperPerUnit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		if _, err := db.UpdateSettings(context.Background(), w.shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get("/admin/products")
		wantStatus(t, p, http.StatusOK, "products in demand")
		if want := "Alerts go out when stock reaches 1 unit, 1 shopper per unit in stock at a time."; !strings.Contains(visibleText(p.Body), want) {
			t.Errorf("products in demand lack %q:\n%s", want, visibleText(p.Body))
		}
	})
}

// TestRestockNoticeLinksToTheOutbox: after a simulated restock the notice
// that sends the newcomer to the Outbox links to it.
func TestRestockNoticeLinksToTheOutbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := f.signIn(t, mustShop(t, db, "bells.example")).get("/admin/products?notice=restock_simulated")
		wantStatus(t, p, http.StatusOK, "the products page after a restock")
		notice := regexp.MustCompile(`<p class="banner ok" role="status">.*?</p>`).FindString(p.Body)
		if want := `Restock received: the alerts go out within seconds. <a href="/admin/outbox">See them in the Outbox</a>`; !strings.Contains(notice, want) {
			t.Errorf("the restock notice is %q, want it to hold %q", notice, want)
		}
	})
}

// TestPendingStockNoticesSayToReload: after a simulated change the
// receipt job had not applied yet, the notice says the stock shown is
// still the one before it, and a pending restock still leads on to the
// Outbox.
func TestPendingStockNoticesSayToReload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		b := f.signIn(t, mustShop(t, db, "bells.example"))
		for notice, want := range map[string]string{
			"restock_pending": `Restock received, still being processed: reload this page in a few seconds to see the new stock. ` +
				`The alerts go out once it is applied. <a href="/admin/outbox">See them in the Outbox</a>`,
			"sold_out_pending": `Sell-out received, still being processed: reload this page in a few seconds to see the stock at 0.`,
		} {
			p := b.get("/admin/products?notice=" + notice)
			wantStatus(t, p, http.StatusOK, "the products page after a pending change")
			if got := regexp.MustCompile(`<p class="banner ok" role="status">.*?</p>`).FindString(p.Body); !strings.Contains(got, want) {
				t.Errorf("notice %s is %q, want it to hold %q", notice, got, want)
			}
		}
	})
}

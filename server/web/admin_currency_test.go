package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowPreviewAndOutboxWriteTheShopsCurrency: the flow page's preview
// and a test message (as the Outbox keeps it) write the price with the
// currency stored on the shop, as an English reader writes it ("CHF 49.00",
// a no-break space after a code-like symbol).
func TestFlowPreviewAndOutboxWriteTheShopsCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "francs.example")
		if _, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Cowbell", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v1", Title: "Default Title", Price: "49.00", Tracked: true,
				InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1"}}}}}); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Currency: "CHF"}); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, shop)
		preview := b.get("/admin/flow/preview?step=1&format=text")
		wantStatus(t, preview, http.StatusOK, "the preview")
		if !strings.Contains(preview.Body, "Price: CHF\u00a049.00") {
			t.Errorf("the preview lacks the price with the shop's currency:\n%s", preview.Body)
		}
		token := b.get("/admin/flow").csrf(t)
		wantStatus(t, b.post("/admin/flow", flowForm(token, "action", "test_1", "test_to", "me@example.com")), http.StatusOK, "sending a test")
		sent, _, err := db.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID})
		if err != nil || len(sent) != 1 || !strings.Contains(sent[0].Text, "Price: CHF\u00a049.00") {
			t.Fatalf("the Outbox's test message: %+v, %v; want Price: CHF 49.00", sent, err)
		}
	})
}

// TestReorderAdviceWritesEachPriceInItsOwnCurrency: a feed price written
// with its code ("15.00 USD") gives the Reports page an expected revenue in
// that currency, not in the shop's; a bare price is in the shop's.
func TestReorderAdviceWritesEachPriceInItsOwnCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p1", Title: "Wool Sweater", Published: true,
			Variants: []stockbell.VariantUpsert{
				{PlatformID: "v-m", Title: "M", SKU: "WS-M", Price: "15.00 USD", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
					Levels: []stockbell.LocationLevel{{LocationID: "1"}}},
				{PlatformID: "v-l", Title: "L", SKU: "WS-L", Price: "40.00", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
					Levels: []stockbell.LocationLevel{{LocationID: "1"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		large, err := db.FindVariant(ctx, w.shop.ID, "v-l")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: large.ID, Email: "cy@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"}); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateShopDetails(ctx, w.shop.ID, stockbell.ShopDetails{Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get("/admin/reports")
		wantStatus(t, p, http.StatusOK, "reports")
		text := visibleText(p.Body)
		// Two waiting × 10% × 15.00 USD; one waiting × 10% × 40.00 (the shop's EUR).
		for _, want := range []string{"$3.00", "€4.00"} {
			if !strings.Contains(text, want) {
				t.Errorf("reorder advice lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "€3.00") {
			t.Errorf("reorder advice counts a USD price in the shop's EUR:\n%s", text)
		}
	})
}

// TestReorderAdviceRoundsExpectedRevenueToTheCurrency: an expected revenue
// is an estimate (waiting × rate × price): the Reports page writes it in
// its currency's decimals, none for the yen, rather than to the
// ten-thousandth the product makes. Each shop sees its own.
func TestReorderAdviceRoundsExpectedRevenueToTheCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		for _, s := range []struct {
			shop            *stockbell.Shop
			currency, price string
		}{{w.shop, "JPY", "1234"}, {w.other, "EUR", "46.65"}} {
			if _, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: s.shop.ID, PlatformID: "p1", Title: "Wool Sweater", Published: true,
				Variants: []stockbell.VariantUpsert{{PlatformID: "v-m", Title: "M", SKU: "WS-M", Price: s.price, Tracked: true,
					InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1"}}}}}); err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateShopDetails(ctx, s.shop.ID, stockbell.ShopDetails{Currency: s.currency}); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []struct {
			shop                   *stockbell.Shop
			want, unrounded, other string
		}{
			// One waiting × the default 10% × the price.
			{w.shop, "¥123", "¥123.4", "€4.67"},
			{w.other, "€4.67", "€4.665", "¥123"},
		} {
			p := f.signIn(t, s.shop).get("/admin/reports")
			wantStatus(t, p, http.StatusOK, "reports")
			got := regexp.MustCompile(`data-label="Expected revenue">([^<]*)<`).FindStringSubmatch(p.Body)
			if got == nil || got[1] != s.want || strings.Contains(p.Body, s.other) {
				t.Errorf("the expected revenue reads %q, want %q (not %q), and not the other shop's %q", got, s.want, s.unrounded, s.other)
			}
		}
	})
}

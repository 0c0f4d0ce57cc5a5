package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestShopCurrencyRoundTrip: a shop's currency is stored by install and by
// UpdateShopDetails, read back by every shop lookup, left as it is when a
// platform says nothing (never guessed), and only the shop named changes:
// another shop's currency is neither set nor read.
func TestShopCurrencyRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := storetest.MustShop(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		b, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformDemo, Domain: "b.example", Currency: "EUR"})
		must(t, err)
		if b.Currency != "EUR" {
			t.Fatalf("installed with EUR, returned %q", b.Currency)
		}
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{Currency: "JPY"}))
		lookups := map[string]func() (*stockbell.Shop, error){
			"FindShopByID":     func() (*stockbell.Shop, error) { return db.FindShopByID(ctx, a.ID) },
			"FindShopByDomain": func() (*stockbell.Shop, error) { return db.FindShopByDomain(ctx, a.Platform, a.Domain) },
			"FindShopByKey":    func() (*stockbell.Shop, error) { return db.FindShopByKey(ctx, a.PublicKey) },
		}
		for name, find := range lookups {
			if got, err := find(); err != nil || got.Currency != "JPY" {
				t.Errorf("%s = %+v, %v; want currency JPY", name, got, err)
			}
		}
		if other, err := db.FindShopByID(ctx, b.ID); err != nil || other.Currency != "EUR" {
			t.Errorf("updating shop A's currency touched shop B: %+v, %v", other, err)
		}
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{Name: "A"}))
		if _, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: a.Platform, Domain: a.Domain}); err != nil {
			t.Fatal(err)
		}
		shops, _, err := db.FindShops(ctx, stockbell.ShopFilter{ID: &a.ID})
		if err != nil || len(shops) != 1 || shops[0].Currency != "JPY" {
			t.Fatalf("after details and a reinstall that name no currency: %+v, %v; want JPY kept", shops, err)
		}
	})
}

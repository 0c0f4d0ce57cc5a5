package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFindShopsByDomain: every shop whose platform domain or storefront
// (primary) domain the domain is, installed or not, however the domain is
// spelled, and no other; an empty domain matches none, though most shops
// have no primary domain.
func TestFindShopsByDomain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		feed := install(t, db, stockbell.PlatformFeed, "bells.example")
		shopify, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bells.myshopify.com", PrimaryDomain: "bells.example"})
		must(t, err)
		gone := install(t, db, stockbell.PlatformBigCommerce, "bells.example")
		must(t, db.UninstallShop(ctx, gone.ID))
		install(t, db, stockbell.PlatformFeed, "other.example")
		for _, domain := range []string{"bells.example", "https://BELLS.example/", "bells.example:443"} {
			shops, err := db.FindShopsByDomain(ctx, domain)
			must(t, err)
			if got := shopIDs(shops); len(got) != 3 || got[0] != feed.ID || got[1] != shopify.ID || got[2] != gone.ID {
				t.Errorf("FindShopsByDomain(%q) = shops %v, want %d, %d, %d", domain, got, feed.ID, shopify.ID, gone.ID)
			}
		}
		shops, err := db.FindShopsByDomain(ctx, "bells.myshopify.com")
		must(t, err)
		if got := shopIDs(shops); len(got) != 1 || got[0] != shopify.ID {
			t.Errorf("FindShopsByDomain(platform domain) = shops %v, want %d", got, shopify.ID)
		}
		for _, domain := range []string{"", " ", "nowhere.example"} {
			shops, err := db.FindShopsByDomain(ctx, domain)
			must(t, err)
			if len(shops) != 0 {
				t.Errorf("FindShopsByDomain(%q) = shops %v, want none", domain, shopIDs(shops))
			}
		}
	})
}

func shopIDs(shops []*stockbell.Shop) []int64 {
	ids := make([]int64, len(shops))
	for i, s := range shops {
		ids[i] = s.ID
	}
	return ids
}

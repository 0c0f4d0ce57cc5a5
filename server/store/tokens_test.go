package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestResealTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var shops []*stockbell.Shop
		for _, domain := range []string{"old.example", "current.example", "unreadable.example"} {
			shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: domain, Seal: fixedSeal(domain)})
			must(t, err)
			shops = append(shops, shop)
		}
		storetest.MustShop(t, db, stockbell.PlatformShopify, "no-token.myshopify.com")
		seen := 0
		done, err := db.ResealTokens(ctx, func(shopID int64, sealed []byte) ([]byte, bool, error) {
			seen++
			switch string(sealed) {
			case "old.example":
				return []byte("resealed"), true, nil
			case "current.example":
				return sealed, false, nil
			}
			return nil, false, stockbell.Errorf(stockbell.EUNAUTHORIZED, "no key opens it")
		})
		must(t, err)
		if seen != 3 || done.Resealed != 1 || len(done.Unreadable) != 1 || done.Unreadable[0] != shops[2].ID {
			t.Fatalf("saw %d tokens; resealed %d, unreadable %v", seen, done.Resealed, done.Unreadable)
		}
		for i, want := range []string{"resealed", "current.example", "unreadable.example"} {
			got, err := db.FindShopByID(ctx, shops[i].ID)
			must(t, err)
			if string(got.SealedToken) != want {
				t.Errorf("shop %s token %q, want %q", got.Domain, got.SealedToken, want)
			}
		}
	})
}

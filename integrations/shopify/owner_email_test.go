package shopify_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestInstallStoresTheShopOwnersEmail: the job that follows an install
// (and the daily resync) reads the shop's email, the address Shopify
// writes to the owner at, and stores it as the shop's admin email; an
// uninstall drops it, and the reinstall's job stores the address the shop
// has then, whichever way it was installed.
func TestInstallStoresTheShopOwnersEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Email = "Owner@Super-Toys.example" })
		shop := e.installByOAuth()
		e.mustRegisterWebhooks(shop.ID)
		e.wantAdminEmails(shop.ID, "owner@super-toys.example")

		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Email = "desk@super-toys.example" })
		e.mustRegisterWebhooks(shop.ID) // the daily resync's
		e.wantAdminEmails(shop.ID, "desk@super-toys.example")

		e.fake.UninstallApp(shopDomain)
		e.uninstalledAt(e.clock.Now())
		e.wantAdminEmails(shop.ID)

		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Email = "new-owner@super-toys.example" })
		e.clock.Advance(1)
		shop = e.installBySessionToken()
		e.mustRegisterWebhooks(shop.ID)
		e.wantAdminEmails(shop.ID, "new-owner@super-toys.example")
	})
}

func (e *env) mustRegisterWebhooks(shopID int64) {
	e.t.Helper()
	if err := e.registerWebhooks(shopID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) wantAdminEmails(shopID int64, want ...string) {
	e.t.Helper()
	got, err := e.db.FindAdminEmails(context.Background(), shopID)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(got) != len(want) || !slices.Equal(got, want) && len(want) > 0 {
		e.t.Errorf("the shop's admin emails are %q, want %q", got, want)
	}
}

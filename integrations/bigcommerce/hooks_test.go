package bigcommerce_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func hooksOf(e *env) []bigcommercetest.Hook {
	var hooks []bigcommercetest.Hook
	e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
		for _, h := range s.Hooks {
			hooks = append(hooks, *h)
		}
	})
	return hooks
}

// TestRegisterHooks creates every subscribed hook once, with the store's
// secret in a custom header, records the store's name and domain, and
// re-creates what BigCommerce deactivated.
func TestRegisterHooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		hooks := hooksOf(e)
		if len(hooks) != len(bigcommerce.SubscribedScopes) {
			t.Fatalf("%d hooks, want %d", len(hooks), len(bigcommerce.SubscribedScopes))
		}
		secret := hooks[0].Headers[bigcommerce.SecretHeader]
		for i, h := range hooks {
			if h.Scope != bigcommerce.SubscribedScopes[i] || h.Destination != "https://app.example/webhooks/bigcommerce" ||
				!h.Active || len(secret) != 64 || h.Headers[bigcommerce.SecretHeader] != secret {
				t.Fatalf("hook %d = %+v", i, h)
			}
		}
		if got := e.shop(shop.ID); got.Name != "Bells & Shirts" || got.PrimaryDomain != "shop.bells.example" {
			t.Fatalf("store details = %q %q", got.Name, got.PrimaryDomain)
		}
		byDomain, err := db.FindShopByKey(ctx, "shop.bells.example")
		must(t, err)
		if byDomain.ID != shop.ID {
			t.Fatal("the storefront API cannot find the store by its domain")
		}

		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		if again := hooksOf(e); len(again) != len(hooks) || again[0].UpdatedAt != hooks[0].UpdatedAt {
			t.Fatalf("running again changed the hooks: %d", len(again))
		}

		// BigCommerce deactivates hooks after 48 h of failures; the periodic check fans out and reactivates them.
		e.fake.DeactivateHooks(storeHash)
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{}))
		var queued []int64
		must(t, db.DB.Select(&queued, `SELECT id FROM river_job WHERE kind = 'bigcommerce_register_hooks'`))
		if len(queued) != 1 {
			t.Fatalf("%d per-store jobs queued by the fan-out, want 1", len(queued))
		}
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		for _, h := range hooksOf(e) {
			if !h.Active || h.Headers[bigcommerce.SecretHeader] != secret {
				t.Fatalf("hook %s after the check = %+v", h.Scope, h)
			}
		}
		if len(hooksOf(e)) != len(hooks) {
			t.Fatal("the check created duplicate hooks")
		}
	})
}

// After an uninstall and a reinstall the store gets a new secret: hooks
// left with the old one are updated, and the old secret is refused.
func TestReinstallRotatesTheSecret(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		old, err := e.fake.Event(storeHash, bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(shirtID))
		must(t, err)
		must(t, db.UninstallShop(ctx, shop.ID))
		e.install()
		must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
		fresh := hooksOf(e)[0].Headers[bigcommerce.SecretHeader]
		if fresh == old.Headers[bigcommerce.SecretHeader] || len(hooksOf(e)) != len(bigcommerce.SubscribedScopes) {
			t.Fatal("the reinstall kept the old secret or duplicated hooks")
		}
		_, err = e.verifier.VerifyWebhook(ctx, header(old.Headers), old.Body)
		if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("a webhook with the old secret: %v", err)
		}
	})
}

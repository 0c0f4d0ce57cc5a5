package bigcommerce_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// scopeTitle is the title BigCommerce's 403 carries for a token without
// the endpoint's scope.
const scopeTitle = "You don't have a required scope to access the endpoint"

// TestForbiddenRequestsKeepTheStoreInstalled: BigCommerce answers 403 to
// a token it accepts that lacks an endpoint's scope (the app's scopes
// changed, or the store's plan lacks the feature). Every job that meets
// one (the catalog sync, reconciliation, the hook check, a webhook's
// work) keeps the store installed with its token, records in the shop's
// sync log which scope is missing and BigCommerce's reason, and ends
// without an error: retrying with the same token cannot help.
func TestForbiddenRequestsKeepTheStoreInstalled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.subscribe(shop, e.variant(shop, shirtSmall).ID, "ada@example.com")
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) {
			s.Orders = append(s.Orders, &bigcommercetest.Order{ID: 250, Email: "ada@example.com", Created: e.clock.Now(), Currency: "USD",
				Total: "19.9900", Lines: []bigcommercetest.OrderLine{{ProductID: shirtID, VariantID: shirtSmall, Quantity: 1, Price: "19.9900"}}})
		})
		for _, c := range []struct {
			name, forbidden, scope, source string
			run                            func() error
		}{
			{"catalog sync", "/v3/inventory/", "Store Inventory read-only", bigcommerce.CatalogSource, func() error {
				return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID})
			}},
			{"reconciliation", "/v3/catalog/", "Products read-only", bigcommerce.ReconcileSource, func() error {
				return e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shop.ID})
			}},
			{"hook check", "/v3/hooks", "Products and Orders read-only", bigcommerce.HooksSource, func() error {
				return e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID})
			}},
			{"order webhook", "/v2/orders", "Orders read-only", "bigcommerce:" + bigcommerce.ScopeOrderCreated, func() error {
				return e.tryDeliver(bigcommerce.ScopeOrderCreated, bigcommercetest.OrderEvent(250))
			}},
		} {
			e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Forbidden = map[string]string{c.forbidden: scopeTitle} })
			if err := c.run(); err != nil {
				t.Fatalf("%s met a 403 and failed: %v", c.name, err)
			}
			if s := e.shop(shop.ID); !s.Active() || len(s.SealedToken) == 0 {
				t.Fatalf("after a 403 in the %s the store = %+v, want installed with its token", c.name, s)
			}
			log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 1})
			must(t, err)
			if len(log) == 0 || log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Detail, c.source) ||
				!strings.Contains(log[0].Detail, c.scope) || !strings.Contains(log[0].Detail, "have a required scope") {
				t.Fatalf("after a 403 in the %s the sync log = %+v", c.name, log)
			}
		}
	})
}

// TestForbiddenNamesTheRefusedRequest: the failure a 403 leaves names the
// request BigCommerce refused, so the merchant knows which permission
// to grant.
func TestForbiddenNamesTheRefusedRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Forbidden = map[string]string{"/v3/catalog/": scopeTitle} })
		err := e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID})
		must(t, err)
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 1})
		must(t, err)
		if len(log) == 0 || !strings.Contains(log[0].Detail, "GET /v3/catalog/products") {
			t.Fatalf("the failure does not name the refused request: %+v", log)
		}
	})
}

// TestUninstallConfirmationTakesA403ForAnInstalledApp: BigCommerce
// answers 403 only to a token it accepts, so an uninstall callback
// confirmed with a token lacking the store information scope finds the
// app installed (not an error: BigCommerce did answer), and the store
// stays installed. Only a 401 uninstalls it.
func TestUninstallConfirmationTakesA403ForAnInstalledApp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Forbidden = map[string]string{"/v2/store": scopeTitle} })
		uninstalled, err := e.in.ConfirmUninstall(ctx, shop)
		if err != nil || uninstalled {
			t.Fatalf("confirming an uninstall against a 403 = %t, %v; want the app found installed", uninstalled, err)
		}
		if s := e.shop(shop.ID); !s.Active() || len(s.SealedToken) == 0 {
			t.Fatalf("the store = %+v, want installed with its token", s)
		}
		e.fake.Revoke(storeHash)
		if uninstalled, err := e.in.ConfirmUninstall(ctx, e.shop(shop.ID)); err != nil || !uninstalled {
			t.Fatalf("confirming an uninstall against a 401 = %t, %v", uninstalled, err)
		}
	})
}

// TestRepeatedRefusalIsOneSyncLogEntry: reconciliation meets the same 403
// every 15 minutes until the merchant re-authorizes the app; the sync log
// keeps one entry for it, counting the refusals and moved to the latest,
// rather than a line per run. The run that reads the store again shows
// that the refusal ended (the runs after it log nothing), and the same
// refusal met after it, or a different one, is an entry of its own.
func TestRepeatedRefusalIsOneSyncLogEntry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		e.subscribe(shop, e.variant(shop, shirtSmall).ID, "ada@example.com")
		reconcile := func(times int, refusal string) {
			t.Helper()
			e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Forbidden = map[string]string{"/v3/catalog/": refusal} })
			if refusal == "" {
				e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Forbidden = nil })
			}
			for range times {
				e.clock.Advance(15 * time.Minute)
				must(t, e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shop.ID}))
			}
		}
		reconcile(4, scopeTitle)
		reconcile(2, "")
		reconcile(1, scopeTitle)
		reconcile(1, "Your plan lacks this feature")

		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		must(t, err)
		var got []string
		for _, entry := range log {
			var d struct {
				Source, Reason string
				Failures       int
			}
			must(t, json.Unmarshal([]byte(entry.Detail), &d))
			if d.Source == bigcommerce.ReconcileSource {
				got = append(got, fmt.Sprintf("%s %d %.12s", entry.Kind, d.Failures, d.Reason))
			}
		}
		want := []string{"sync_failed 0 BigCommerce ", "sync_failed 0 BigCommerce ", "sync_finished 0 ", "sync_failed 4 BigCommerce "}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("reconciliations in the sync log, newest first = %q, want %q", got, want)
		}
		if !strings.Contains(log[0].Detail, "plan lacks") {
			t.Fatalf("newest entry = %s, want the different refusal", log[0].Detail)
		}
	})
}

package prestashop_test

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestKeyWithoutPermissionKeepsTheShopConnected: PrestaShop accepts the
// key but refuses the request when the key has no permission on the
// resource (401, code 26, as it answers a disabled key), may not GET it
// (405, code 25) or is not enabled for the shop (403, code 132). Every
// job that meets one (the catalog sync, reconciliation, a module post's
// read) keeps the shop connected, records in the shop's sync log the
// refused request and what to tick for the key, and ends without an
// error: retrying before the merchant changes the key cannot help.
func TestKeyWithoutPermissionKeepsTheShopConnected(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		denied := func(s *prestashoptest.Shop) { s.Denied = map[string]bool{"products": true} }
		noGET := func(s *prestashoptest.Shop) { s.NoGET = map[string]bool{"stock_availables": true} }
		otherShop := func(s *prestashoptest.Shop) { s.OtherShop = true }
		catalogSync := func() error { return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}) }
		reconcile := func() error { return e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}) }
		post := func() error {
			// A product created since the sync: processing the post reads it.
			e.clock.Add(time.Second)
			return e.process(e.signed(secret, e.stockPost(5, 0, 2)))
		}
		for _, c := range []struct {
			name, source, want string
			refuse             func(s *prestashoptest.Shop)
			run                func() error
		}{
			{"catalog sync without products", prestashop.CatalogSource, "GET /api/products (401, code 26", denied, catalogSync},
			{"reconciliation without GET on stock", prestashop.ReconcileSource, "GET /api/stock_availables (405, code 25", noGET, reconcile},
			{"module post without products", prestashop.ModuleSource, "GET /api/products (401, code 26", denied, post},
			{"catalog sync on another shop", prestashop.CatalogSource, "(403, code 132", otherShop, catalogSync},
			{"module post on another shop", prestashop.ModuleSource, "Shop association", otherShop, post},
		} {
			e.fake.Do(func(s *prestashoptest.Shop) { s.Denied, s.NoGET, s.OtherShop = nil, nil, false; c.refuse(s) })
			if err := c.run(); err != nil {
				t.Errorf("the %s met a refusal and failed: %v", c.name, err)
				continue
			}
			if s, err := db.FindShopByID(ctx, shop.ID); err != nil || !s.Active() || len(s.SealedToken) == 0 {
				t.Errorf("after the %s the shop = %+v, %v; want connected with its key", c.name, s, err)
			}
			failed := stockbell.EventSyncFailed
			log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed, Limit: 1})
			must(t, err)
			if len(log) == 0 || !strings.Contains(log[0].Detail, c.source) || !strings.Contains(log[0].Detail, c.want) ||
				!strings.Contains(log[0].Detail, "Advanced Parameters › Webservice") {
				t.Errorf("after the %s the last failure in the sync log is %s", c.name, lastDetail(log))
			}
		}
	})
}

func lastDetail(log []*stockbell.Event) string {
	if len(log) == 0 {
		return "none"
	}
	return log[0].Detail
}

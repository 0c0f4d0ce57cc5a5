package prestashop_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConnectToADisabledWebservice: PrestaShop answers every webservice
// request 503 with code 22 while Advanced Parameters › Webservice is off.
// That is the merchant's setting, not a shop under load: the connect asks
// once, without waiting to try again, and says which setting to turn on.
func TestConnectToADisabledWebservice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { s.WebserviceDisabled = true })
		_, _, err := e.in.Connect(ctx, e.fake.URL(), prestashoptest.Key)
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != "shop_url" ||
			!strings.Contains(stockbell.ErrorMessage(err), "Enable PrestaShop's webservice") {
			t.Fatalf("connect to a disabled webservice: %v (field %q)", err, stockbell.ErrorField(err))
		}
		if len(e.slept) != 0 || len(e.fake.Requests()) != 1 {
			t.Fatalf("a disabled webservice was tried again: waits %v, requests %v", e.slept, e.fake.Requests())
		}
		wantNoShopStored(t, db)
	})
}

// TestDisabledWebserviceIsRecorded: a merchant who turns the webservice
// off after connecting has every job that reads the shop (the catalog
// sync, reconciliation, a module post's read) record in the sync log
// what to turn on, without retrying: the shop answers the same until the
// merchant does. The shop stays connected.
func TestDisabledWebserviceIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) { s.WebserviceDisabled = true })
		e.slept = nil
		for _, c := range []struct {
			source string
			run    func() error
		}{
			{prestashop.CatalogSource, func() error { return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}) }},
			{prestashop.ReconcileSource, func() error { return e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}) }},
			{prestashop.ModuleSource, func() error { return e.process(e.signed(secret, e.stockPost(5, 0, 2))) }},
		} {
			if err := c.run(); err != nil {
				t.Errorf("%s met a disabled webservice and failed (to be retried): %v", c.source, err)
				continue
			}
			failed := stockbell.EventSyncFailed
			log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed, Limit: 1})
			must(t, err)
			if len(log) == 0 || !strings.Contains(log[0].Detail, c.source) || !strings.Contains(log[0].Detail, "(503, code 22") ||
				!strings.Contains(log[0].Detail, "Enable PrestaShop's webservice") {
				t.Errorf("after %s the last failure in the sync log is %s", c.source, lastDetail(log))
			}
		}
		if len(e.slept) != 0 {
			t.Errorf("a disabled webservice was tried again: waits %v", e.slept)
		}
		if s, err := db.FindShopByID(ctx, shop.ID); err != nil || !s.Active() {
			t.Errorf("the shop after a disabled webservice: %+v, %v", s, err)
		}
	})
}

// TestWebserviceGoneIsRecorded: a shop whose /api/ stops answering after
// it was connected (URL rewriting switched off, an .htaccess rewritten
// without the webservice's rule: the web server answers 404) has each job
// that reads it record in the sync log where no webservice answers and
// what to check, rather than fail silently into retries; the shop stays
// connected.
func TestWebserviceGoneIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.fake.Do(func(s *prestashoptest.Shop) { s.NoRewriting = true })
		for _, c := range []struct {
			source string
			run    func() error
		}{
			{prestashop.CatalogSource, func() error { return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}) }},
			{prestashop.ReconcileSource, func() error { return e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}) }},
		} {
			if err := c.run(); err != nil {
				t.Errorf("%s met no webservice and failed (to be retried): %v", c.source, err)
				continue
			}
			failed := stockbell.EventSyncFailed
			log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed, Limit: 1})
			must(t, err)
			if len(log) == 0 || !strings.Contains(log[0].Detail, c.source) || !strings.Contains(log[0].Detail, "no PrestaShop webservice answers at "+e.fake.URL()+"/api/") {
				t.Errorf("after %s the last failure in the sync log is %s", c.source, lastDetail(log))
			}
		}
	})
}

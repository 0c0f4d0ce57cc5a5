package magento_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestRefusedResourceKeepsTheStoreInstalled: Magento answers 401 "The
// consumer isn't authorized to access %resources." to an integration that
// is not granted a route's ACL resource (the merchant narrowed its API
// resources), and some stores sit behind a firewall that answers 403.
// Neither revokes the integration. Every job that meets one (the catalog
// sync, reconciliation, a module post's re-read) keeps the store
// installed with its credentials, records in the shop's sync log the
// refused request and the resource to grant, and ends without an error:
// retrying before the merchant changes the integration cannot help.
func TestRefusedResourceKeepsTheStoreInstalled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.subscribe("TEE-S", "ada@example.com")
		post := &stockbell.WebhookReceipt{Domain: e.fake.Domain(), Payload: []byte(`{"sku":"TEE-S","qty":3,"is_in_stock":true,"source":"default"}`)}
		for _, c := range []struct {
			name, source, want string
			refuse             func(f *magentotest.Fake)
			run                func() error
		}{
			{"catalog sync", magento.CatalogSource, "Magento_Catalog::products", func(f *magentotest.Fake) {
				f.Denied = map[string]string{"/products": "Magento_Catalog::products"}
			}, func() error { return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}) }},
			{"reconciliation", magento.ReconcileSource, "Magento_CatalogInventory::cataloginventory", func(f *magentotest.Fake) {
				f.Denied = map[string]string{"/stockItems/": "Magento_CatalogInventory::cataloginventory"}
			}, func() error { return e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}) }},
			{"post re-read", magento.RereadSource, "Magento_CatalogInventory::cataloginventory", func(f *magentotest.Fake) {
				f.Denied = map[string]string{"/stockItems/": "Magento_CatalogInventory::cataloginventory"}
			}, func() error { return e.in.ProcessReceipt(ctx, post) }},
			{"firewall", magento.ReconcileSource, "403: Access denied by the web application firewall", func(f *magentotest.Fake) {
				f.Forbidden = map[string]string{"/stockItems/": "Access denied by the web application firewall"}
			}, func() error { return e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}) }},
		} {
			e.fake.Do(func(f *magentotest.Fake) { f.Denied, f.Forbidden = nil, nil; c.refuse(f) })
			if err := c.run(); err != nil {
				t.Fatalf("%s met a refusal and failed: %v", c.name, err)
			}
			shop, err := db.FindShopByID(ctx, e.shop.ID)
			e.must(err)
			if !shop.Active() || len(shop.SealedToken) == 0 {
				t.Fatalf("after a refusal in the %s the store = %+v, want installed with its credentials", c.name, shop)
			}
			entry := e.lastSync()
			if entry.Kind != stockbell.EventSyncFailed || !strings.Contains(entry.Detail, c.source) || !strings.Contains(entry.Detail, c.want) ||
				!strings.Contains(entry.Detail, "Magento refused GET /V1/") {
				t.Fatalf("after a refusal in the %s the sync log = %+v", c.name, entry)
			}
		}
	})
}

// TestRefusedResourceNamesWhatToGrant: the failure substitutes the
// resources into Magento's message and says where to grant them: each
// resource as the integration's Resource Access tree shows it, its id
// beside.
func TestRefusedResourceNamesWhatToGrant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		for _, c := range []struct{ path, resources, want string }{
			{"/products", "Magento_Catalog::products", "the API resource Catalog › Inventory › Products (Magento_Catalog::products)"},
			{"/stockItems/", "Magento_CatalogInventory::cataloginventory",
				"the API resource Stores › Settings › Configuration › Inventory Section (Magento_CatalogInventory::cataloginventory)"},
			{"/products", "Magento_Catalog::products,Magento_Acme::stock", "the API resources Catalog › Inventory › Products " +
				"(Magento_Catalog::products), Magento_Acme::stock"},
		} {
			e.fake.Do(func(f *magentotest.Fake) { f.Denied = map[string]string{c.path: c.resources} })
			e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
			detail := e.lastSync().Detail
			for _, want := range []string{"GET /V1" + c.path, "The consumer isn't authorized to access " + c.resources + ".",
				"System › Extensions › Integrations", c.want} {
				if !strings.Contains(detail, want) {
					t.Fatalf("the failure %s does not say %q", detail, want)
				}
			}
		}
	})
}

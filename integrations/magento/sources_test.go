package magento_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStockIsTheSumOfTheSources: with multi-source inventory a variant's
// stock is the sum over its sources (a shop and a warehouse), whether the
// catalog sync reads them, the module posts one source's change, or the
// reconciliation reads them again; a source out of stock counts nothing.
func TestStockIsTheSumOfTheSources(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.subscribe("MUG", "ada@example.com")
		mug := func(f *magentotest.Fake) *magentotest.Product { return f.Products[1] }
		e.fake.Do(func(f *magentotest.Fake) {
			f.MSI = true
			mug(f).Sources = map[string]float64{"shop": 2, "warehouse": 3}
		})
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 5, "after the catalog sync")

		e.fake.Do(func(f *magentotest.Fake) { mug(f).Sources["warehouse"] = 0 })
		e.post("MUG", "warehouse", 0)
		e.wantStock("MUG", 2, "after the warehouse sold out")
		e.fake.Do(func(f *magentotest.Fake) { mug(f).Sources["warehouse"] = 4 })
		e.post("MUG", "warehouse", 4)
		e.wantStock("MUG", 6, "after the warehouse's restock")

		e.fake.Do(func(f *magentotest.Fake) { mug(f).Sources = map[string]float64{"shop": 1, "warehouse": 6} })
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		e.wantStock("MUG", 7, "after the reconciliation")
	})
}

// post processes the module's post of a SKU's quantity at a source, in
// stock when above zero, saved now.
func (e *jobsEnv) post(sku, source string, qty float64) {
	e.t.Helper()
	body := fmt.Sprintf(`{"sku":%q,"qty":%v,"is_in_stock":%t,"source":%q,"updated_at":%q}`,
		sku, qty, qty > 0, source, time.Now().UTC().Format(time.RFC3339))
	e.must(e.in.ProcessReceipt(ctx, &stockbell.WebhookReceipt{Domain: e.fake.Domain(), Payload: []byte(body)}))
}

// wantStock fails unless the variant's stock is want.
func (e *jobsEnv) wantStock(sku string, want int, when string) {
	e.t.Helper()
	if v := e.variant(sku); v.Stock != want {
		e.t.Fatalf("%s %s: stock %d, want %d", sku, when, v.Stock, want)
	}
}

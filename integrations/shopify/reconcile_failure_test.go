package shopify_test

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// reconcileFailures are catalogFailures met by the stock check, with
// what its sync log reason must name: the request, what Shopify answered
// (or that it did not) and what to check.
var reconcileFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"Admin API failing", catalogFailures[0].fail, catalogFailures[0].mend,
		[]string{"503", "read the stock of the variants shoppers wait for", "shopifystatus.com", "check is tried again"}},
	{"Admin API unreachable", catalogFailures[1].fail, catalogFailures[1].mend,
		[]string{"could not be reached", "connection refused", "STOCKBELL_SHOPIFY_ADMIN_URL", "webhooks"}},
	{"Admin API too slow", catalogFailures[2].fail, catalogFailures[2].mend,
		[]string{"did not answer in time", "read the stock of the variants shoppers wait for", "shopifystatus.com"}},
}

// waitedForTShirt installs the shop, syncs its stocked T-shirt and queues
// a subscriber to its small variant, for the stock check to read it.
func (e *env) waitedForTShirt() *stockbell.Shop {
	e.t.Helper()
	shop := e.install()
	e.stockTShirt()
	must(e.t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
	v, _ := e.variant(shop.ID, smallVariant)
	e.queueSubscriber(shop.ID, v.ID, "ada@example.com")
	return shop
}

// TestReconcileFailuresAreLogged: a stock check that fails for any reason
// but a refusal (the Admin API answering 5xx past the client's retries,
// not reached, too slow) fails its job, to be retried, and records in the
// shop's sync log, on the admin's banner, what Shopify answered and what
// to check: one entry however many runs meet the same failure. The check
// that then reads the shop again ends it.
func TestReconcileFailuresAreLogged(t *testing.T) {
	for _, c := range reconcileFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.waitedForTShirt()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.reconcileJob(shop.ID), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// reconcileJob is the shop's stock check as a sync log source.
func (e *env) reconcileJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: shopify.ReconcileSource, What: "stock check",
		Run: func(ctx context.Context) error {
			return e.in.Reconcile(ctx, stockbell.ShopifyReconcileJob{ShopID: shopID})
		}}
}

// TestReconcileStoppedIsNotLogged: a stock check cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestReconcileStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.waitedForTShirt()
		synclogcheck.WantStoppedNotLogged(t, e.reconcileJob(shop.ID), e.stopOnAnswer)
	})
}

package bigcommerce_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// reconcileFailures are catalogFailures met by the stock check, with what
// its sync log reason must name: the request, what BigCommerce answered
// (or that it did not) and what to check.
var reconcileFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"API failing", catalogFailures[0].fail, catalogFailures[0].mend,
		[]string{"503", "Service Unavailable", "read the stock of the variants shoppers wait for", "status.bigcommerce.com",
			"check is tried again"}},
	{"API unreachable", catalogFailures[1].fail, catalogFailures[1].mend,
		[]string{"could not be reached", "connection refused", "STOCKBELL_BIGCOMMERCE_API_URL", "webhooks"}},
	{"API too slow", catalogFailures[2].fail, catalogFailures[2].mend,
		[]string{"did not answer in time", "read the stock of the variants shoppers wait for", "status.bigcommerce.com"}},
}

// waitedForShirt installs the store and queues a subscriber to its small
// shirt, for the stock check to read it.
func (e *env) waitedForShirt() *stockbell.Shop {
	e.t.Helper()
	shop := e.installed()
	e.subscribe(shop, e.variant(shop, shirtSmall).ID, "ann@example.com")
	return shop
}

// TestReconcileFailuresAreLogged: a stock check that fails for any reason
// but a 403 (BigCommerce's API answering 5xx past the client's retries,
// not reached, too slow) fails its job, to be retried, and records in the
// store's sync log, on the admin's banner, what BigCommerce answered and
// what to check: one entry however many runs meet the same failure. The
// check that then reads the store again ends it.
func TestReconcileFailuresAreLogged(t *testing.T) {
	for _, c := range reconcileFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.waitedForShirt()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.reconcileJob(shop.ID), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// reconcileJob is the shop's stock check as a sync log source.
func (e *env) reconcileJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: bigcommerce.ReconcileSource, What: "stock check",
		Run: func(ctx context.Context) error {
			return e.in.Reconcile(ctx, stockbell.BigCommerceReconcileJob{ShopID: shopID})
		}}
}

// TestReconcileStoppedIsNotLogged: a stock check cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestReconcileStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.waitedForShirt()
		synclogcheck.WantStoppedNotLogged(t, e.reconcileJob(shop.ID), e.stopOnAnswer)
	})
}

// stopOnAnswer has the fake call stop as it answers.
func (e *env) stopOnAnswer(stop func()) { e.fake.Answered = func(*http.Request) { stop() } }

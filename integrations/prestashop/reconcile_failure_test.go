package prestashop_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// reconcileFailures are catalogFailures met by the stock check, with what
// its sync log reason must name: the request, what the shop answered (or
// that it did not) and what to check.
var reconcileFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"shop failing", catalogFailures[0].fail, catalogFailures[0].mend,
		[]string{"503 Service Unavailable", "read the stock of the variants shoppers wait for", "/api/", "check is tried again"}},
	{"shop unreachable", catalogFailures[1].fail, catalogFailures[1].mend,
		[]string{"could not be reached", "connection refused", "read the stock of the variants shoppers wait for", "module's posts"}},
}

// waitedForShirt connects the shop and queues a subscriber to its small
// shirt, for the stock check to read it.
func (e *env) waitedForShirt() *stockbell.Shop {
	e.t.Helper()
	shop, _ := e.connected()
	e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
	return shop
}

// TestReconcileFailuresAreLogged: a stock check that fails for any
// reason but a refusal (the shop answering 5xx past the client's tries,
// or not reached) fails its job, to be retried, and records in the shop's
// sync log, on the admin's banner, what the shop answered and what to
// check: one entry however many runs meet the same failure. The check
// that then reads the shop again ends it.
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
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: prestashop.ReconcileSource, What: "stock check",
		Run: func(ctx context.Context) error {
			return e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shopID})
		}}
}

// TestReconcileTimedOutIsLogged: a stock check its job's timeout ended,
// the shop being too slow, failed: it is recorded past the end of its
// context, one entry for two runs, and the job is retried.
func TestReconcileTimedOutIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.waitedForShirt()
		e.fake.BeforeAnswer(func(string, url.Values) { time.Sleep(100 * time.Millisecond) })
		for range 2 {
			timedOut, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			err := e.in.Reconcile(timedOut, stockbell.PrestaShopReconcileJob{ShopID: shop.ID})
			cancel()
			if err == nil {
				t.Fatal("a stock check its timeout ended succeeded")
			}
		}
		log := e.reconcileJob(shop.ID).Entries(t)
		if fmt.Sprint(log) != "[failed 2]" {
			t.Fatalf("after two checks their timeout ended the sync log = %v, want one failure met twice", log)
		}
		if !strings.Contains(log[0].Reason, "did not answer in time") {
			t.Errorf("the reason %q does not say the shop did not answer in time", log[0].Reason)
		}
	})
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

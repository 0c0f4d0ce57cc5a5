package bigcommerce_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// catalogFailures are ways a catalog sync fails other than a 403, each
// made and undone on the test's store, with what its sync log reason must
// name: the request, what BigCommerce answered and what to check.
var catalogFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"API failing",
		func(e *env) { e.fake.SetAPIStatus(http.StatusServiceUnavailable) },
		func(e *env) { e.fake.SetAPIStatus(0) },
		[]string{"503", "Service Unavailable", "read the store's products", "status.bigcommerce.com", "sync is tried again"}},
	{"API unreachable",
		func(e *env) { e.in.Client.BaseURL = "http://127.0.0.1:1" },
		func(e *env) { e.in.Client.BaseURL = e.fake.URL() },
		[]string{"could not be reached", "connection refused", "STOCKBELL_BIGCOMMERCE_API_URL"}},
	{"API too slow",
		func(e *env) {
			e.in.Client.HTTP.Timeout = 20 * time.Millisecond
			e.fake.Answered = func(*http.Request) { time.Sleep(100 * time.Millisecond) }
		},
		func(e *env) { e.in.Client.HTTP.Timeout, e.fake.Answered = 30*time.Second, nil },
		[]string{"did not answer in time", "read the store's products", "status.bigcommerce.com"}},
}

// TestCatalogSyncFailuresAreLogged: a catalog sync that fails for any
// reason but a 403 (BigCommerce's API answering 5xx past the client's
// retries, not reached, too slow) fails its job, to be retried, and
// records in the store's sync log what BigCommerce answered and what to
// check: one entry however many runs meet the same failure. The sync that
// then succeeds is recorded above it.
func TestCatalogSyncFailuresAreLogged(t *testing.T) {
	for _, c := range catalogFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.catalogJob(shop.ID), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// catalogJob is the shop's catalog sync as a sync log source.
func (e *env) catalogJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: bigcommerce.CatalogSource, What: "catalog sync",
		Run: func(ctx context.Context) error {
			return e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shopID})
		}}
}

// TestCatalogSyncFailureOfTheInventoryReadIsLogged: the sync fails on
// the Inventory API (the products were read): its one entry names that
// request.
func TestCatalogSyncFailureOfTheInventoryReadIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.fake.Answered = func(r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/stores/"+storeHash+"/v3/catalog") {
				e.fake.SetAPIStatus(http.StatusServiceUnavailable) // the next request, the levels', fails
			}
		}
		if err := e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}); err == nil {
			t.Fatal("a failed catalog sync ended its job without an error")
		}
		log := e.catalogJob(shop.ID).Entries(t)
		if fmt.Sprint(log) != "[failed 1]" || !strings.Contains(log[0].Reason, "inventory levels") {
			t.Fatalf("after a failed read of the levels the sync log = %+v, want one failure naming it", log)
		}
	})
}

// TestCatalogSyncStoppedIsNotLogged: a catalog sync cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestCatalogSyncStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		synclogcheck.WantStoppedNotLogged(t, e.catalogJob(shop.ID), e.stopOnAnswer)
	})
}

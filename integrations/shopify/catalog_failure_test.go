package shopify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// catalogFailures are ways a catalog sync fails other than a refusal of
// the token or of a scope, each made and undone on the test's shop, with
// what its sync log reason must name: the request, what Shopify answered
// and what to check.
var catalogFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"Admin API failing",
		func(e *env) { e.fake.AdminStatus = http.StatusServiceUnavailable },
		func(e *env) { e.fake.AdminStatus = 0 },
		[]string{"503", "read the shop's variants", "shopifystatus.com", "sync is tried again"}},
	{"Admin API unreachable",
		func(e *env) { e.in.Admin.Config.AdminURL = "http://127.0.0.1:1/{shop}" },
		func(e *env) { e.in.Admin.Config.AdminURL = e.fake.AdminURL() },
		[]string{"could not be reached", "connection refused", "STOCKBELL_SHOPIFY_ADMIN_URL"}},
	{"Admin API too slow", // each answer comes after the client's timeout
		func(e *env) {
			e.in.Admin.HTTP.Timeout = 20 * time.Millisecond
			e.fake.Answered = func(string) { time.Sleep(100 * time.Millisecond) }
		},
		func(e *env) { e.in.Admin.HTTP.Timeout, e.fake.Answered = 30*time.Second, nil },
		[]string{"did not answer in time", "read the shop's variants", "shopifystatus.com"}},
}

// TestCatalogSyncFailuresAreLogged: a catalog sync that fails for any
// reason but a refusal (the Admin API answering 5xx past the client's
// retries, not reached, too slow) fails its job, to be retried, and
// records in the shop's sync log, on the admin's banner, what Shopify
// answered and what to check: one entry however many runs meet the same
// failure. The sync that then succeeds is recorded above it.
func TestCatalogSyncFailuresAreLogged(t *testing.T) {
	for _, c := range catalogFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.catalogJob(shop.ID), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// catalogJob is the shop's catalog sync as a sync log source.
func (e *env) catalogJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: shopify.CatalogSource, What: "catalog sync",
		Run: func(ctx context.Context) error {
			return e.in.SyncCatalog(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shopID})
		}}
}

// stopOnAnswer has the fake call stop as it answers.
func (e *env) stopOnAnswer(stop func()) { e.fake.Answered = func(string) { stop() } }

// TestCatalogSyncStoppedIsNotLogged: a catalog sync cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestCatalogSyncStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		synclogcheck.WantStoppedNotLogged(t, e.catalogJob(shop.ID), e.stopOnAnswer)
	})
}

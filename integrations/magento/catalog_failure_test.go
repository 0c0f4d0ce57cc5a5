package magento_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/internal/synclogcheck"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// refusedDial reaches nothing: every connection is refused, as by a
// store's host where nothing listens.
func refusedDial(ctx context.Context, network, _ string) (net.Conn, error) {
	return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:1")
}

// catalogFailures are ways a catalog sync fails other than a refusal,
// each made and undone on the test's store, with what its sync log reason
// must name: the request, what the store answered and what to check.
var catalogFailures = []struct {
	name  string
	fail  func(e *jobsEnv)
	mend  func(e *jobsEnv)
	names []string
}{
	{"store failing",
		func(e *jobsEnv) {
			e.fake.Do(func(f *magentotest.Fake) { f.Unavailable = http.StatusServiceUnavailable })
		},
		func(e *jobsEnv) { e.fake.Do(func(f *magentotest.Fake) { f.Unavailable = 0 }) },
		[]string{"503 Service Unavailable", "read the store's inventory sources", "exception.log", "sync is tried again"}},
	{"store unreachable",
		func(e *jobsEnv) {
			transport := e.in.Client.HTTP.Transport.(*http.Transport)
			transport.DialContext = refusedDial
			transport.CloseIdleConnections() // the first sync's, kept alive
		},
		func(e *jobsEnv) { e.in.Client.HTTP = magento.NewClient(true).HTTP },
		[]string{"could not be reached", "connection refused", "read the store's inventory sources"}},
}

// TestCatalogSyncFailuresAreLogged: a catalog sync that fails for any
// reason but a refusal (the store answering 5xx past the client's
// retries, or not reached) fails its job, to be retried, and
// records in the store's sync log what the store answered and what to
// check: one entry however many runs meet the same failure. The sync that
// then succeeds is recorded above it.
func TestCatalogSyncFailuresAreLogged(t *testing.T) {
	for _, c := range catalogFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newJobsEnv(t, db) // activated and synced once
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.catalogJob(), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// catalogJob is the store's catalog sync as a sync log source.
func (e *jobsEnv) catalogJob() synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: e.shop.ID, Source: magento.CatalogSource, What: "catalog sync",
		Run: func(ctx context.Context) error {
			return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID})
		}}
}

// TestCatalogSyncStoppedIsNotLogged: a catalog sync cut short because the
// process is stopping did not fail: nothing more is in the sync log.
func TestCatalogSyncStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		synclogcheck.WantStoppedNotLogged(t, e.catalogJob(), func(stop func()) {
			e.fake.Do(func(f *magentotest.Fake) { f.BeforeProductPage = func(*magentotest.Fake) { stop() } })
		})
	})
}

// TestCatalogSyncTimedOutIsLogged: a catalog sync its job's timeout
// ended, the store being too slow, failed: it is recorded past the end of
// its context, one entry for two runs, and the job is retried.
func TestCatalogSyncTimedOutIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) { f.Slow = 100 * time.Millisecond })
		for range 2 {
			timedOut, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			err := e.in.SyncCatalog(timedOut, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID})
			cancel()
			if err == nil {
				t.Fatal("a sync its timeout ended succeeded")
			}
		}
		log := e.catalogJob().Entries(t)
		if fmt.Sprint(log) != "[failed 2 sync_finished]" {
			t.Fatalf("after two syncs their timeout ended the sync log = %v, want one failure met twice", log)
		}
		for _, want := range []string{"did not answer in time", "list the store's products", "/rest/V1"} {
			if !strings.Contains(log[0].Reason, want) {
				t.Errorf("the reason %q does not name %q", log[0].Reason, want)
			}
		}
	})
}

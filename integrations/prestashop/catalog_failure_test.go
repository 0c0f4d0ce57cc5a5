package prestashop_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
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

// catalogFailures are ways a catalog sync fails other than a refusal,
// each made and undone on the test's shop, with what its sync log reason
// must name: the request, what the shop answered and what to check.
var catalogFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"shop failing", // 503 past the client's tries
		func(e *env) { e.fake.FailNext(1_000, "") },
		func(e *env) { e.fake.FailNext(0, "") },
		[]string{"503 Service Unavailable", "read the shop's settings", "sync is tried again"}},
	{"shop unreachable",
		func(e *env) {
			transport := e.in.Client.HTTP.Transport.(*http.Transport)
			transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:1")
			}
			transport.CloseIdleConnections() // the first sync's, kept alive
		},
		func(e *env) { e.in.Client.HTTP = prestashop.NewClient(true, e.in.Logger).HTTP },
		[]string{"could not be reached", "connection refused", "read the shop's settings"}},
}

// TestCatalogSyncFailuresAreLogged: a catalog sync that fails for any
// reason but a refusal (the shop answering 5xx past the client's tries,
// or not reached) fails its job, to be retried, and records in the shop's
// sync log what the shop answered and what to check: one entry however
// many runs meet the same failure. The sync that then succeeds is
// recorded above it.
func TestCatalogSyncFailuresAreLogged(t *testing.T) {
	for _, c := range catalogFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop, _ := e.connected()
				c.fail(e)
				synclogcheck.WantFailuresLogged(t, e.catalogJob(shop.ID), func() { c.mend(e) }, c.names)
			})
		})
	}
}

// catalogJob is the shop's catalog sync as a sync log source.
func (e *env) catalogJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: prestashop.CatalogSource, What: "catalog sync",
		Run: func(ctx context.Context) error {
			return e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shopID})
		}}
}

// stopOnAnswer has the fake call stop before it answers.
func (e *env) stopOnAnswer(stop func()) { e.fake.BeforeAnswer(func(string, url.Values) { stop() }) }

// TestCatalogSyncTimedOutIsLogged: a catalog sync its job's timeout
// ended, the shop being too slow, failed: it is recorded past the end of
// its context, one entry for two runs, and the job is retried.
func TestCatalogSyncTimedOutIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.fake.BeforeAnswer(func(string, url.Values) { time.Sleep(100 * time.Millisecond) })
		for range 2 {
			timedOut, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			err := e.in.SyncCatalog(timedOut, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID})
			cancel()
			if err == nil {
				t.Fatal("a sync its timeout ended succeeded")
			}
		}
		log := e.catalogJob(shop.ID).Entries(t)
		if fmt.Sprint(log) != "[failed 2 sync_finished]" {
			t.Fatalf("after two syncs their timeout ended the sync log = %v, want one failure met twice", log)
		}
		for _, want := range []string{"did not answer in time", "read the shop's settings"} {
			if !strings.Contains(log[0].Reason, want) {
				t.Errorf("the reason %q does not name %q", log[0].Reason, want)
			}
		}
	})
}

// TestCatalogSyncStoppedIsNotLogged: a catalog sync cut short because the
// process is stopping did not fail: nothing more is in the sync log.
func TestCatalogSyncStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		synclogcheck.WantStoppedNotLogged(t, e.catalogJob(shop.ID), e.stopOnAnswer)
	})
}

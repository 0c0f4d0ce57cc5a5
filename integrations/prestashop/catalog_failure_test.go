package prestashop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// catalogEntry is one entry of the catalog sync's sync log.
type catalogEntry struct {
	Kind     stockbell.EventKind
	Reason   string `json:"reason"`
	Failures int    `json:"failures"`
}

func (c catalogEntry) String() string {
	if c.Kind == stockbell.EventSyncFailed {
		return fmt.Sprintf("failed %d", max(c.Failures, 1))
	}
	return string(c.Kind)
}

// catalogLog returns the shop's sync log entries of the catalog sync,
// newest first.
func (e *env) catalogLog(shopID int64) []catalogEntry {
	e.t.Helper()
	events, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shopID})
	must(e.t, err)
	var out []catalogEntry
	for _, ev := range events {
		var d struct {
			Source string `json:"source"`
			catalogEntry
		}
		must(e.t, json.Unmarshal([]byte(ev.Detail), &d))
		if d.Source == prestashop.CatalogSource {
			d.catalogEntry.Kind = ev.Kind
			out = append(out, d.catalogEntry)
		}
	}
	return out
}

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
				for range 2 {
					if err := e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}); err == nil {
						t.Fatal("a failed catalog sync ended its job without an error: it is not retried")
					}
				}
				log := e.catalogLog(shop.ID)
				if fmt.Sprint(log) != "[failed 2 sync_finished]" {
					t.Fatalf("after two failed syncs the sync log = %v, want one failure met twice", log)
				}
				for _, want := range c.names {
					if !strings.Contains(log[0].Reason, want) {
						t.Errorf("the reason %q does not name %q", log[0].Reason, want)
					}
				}
				failing, err := db.FindFailingSyncs(ctx, shop.ID)
				must(t, err)
				if len(failing) != 1 || !strings.Contains(failing[0].Detail, prestashop.CatalogSource) {
					t.Fatalf("failing sources (the admin's banner) = %+v, want the catalog sync", failing)
				}
				c.mend(e)
				must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
				if log := e.catalogLog(shop.ID); fmt.Sprint(log) != "[sync_finished failed 2 sync_finished]" {
					t.Fatalf("after the sync that succeeded the sync log = %v, want it above the failure", log)
				}
			})
		})
	}
}

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
		log := e.catalogLog(shop.ID)
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
		stopping, stop := context.WithCancel(ctx)
		defer stop()
		e.fake.BeforeAnswer(func(string, url.Values) { stop() })
		if err := e.in.SyncCatalog(stopping, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}); err == nil {
			t.Fatal("the sync cut short succeeded")
		}
		if log := e.catalogLog(shop.ID); fmt.Sprint(log) != "[sync_finished]" {
			t.Fatalf("a sync cut short by the process stopping logged %v", log)
		}
	})
}

package bigcommerce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// hookEntry is one entry of the hook check's sync log, as the admin reads it.
type hookEntry struct {
	Kind     stockbell.EventKind
	Reason   string `json:"reason"`
	Failures int    `json:"failures"`
}

func (h hookEntry) String() string {
	if h.Kind == stockbell.EventSyncFailed {
		return fmt.Sprintf("failed %d", max(h.Failures, 1))
	}
	return string(h.Kind)
}

// hooksLog returns the shop's sync log entries of the hook check, newest
// first.
func (e *env) hooksLog(shopID int64) []hookEntry {
	e.t.Helper()
	events, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shopID})
	must(e.t, err)
	var out []hookEntry
	for _, ev := range events {
		var d struct {
			Source string `json:"source"`
			hookEntry
		}
		must(e.t, json.Unmarshal([]byte(ev.Detail), &d))
		if d.Source == bigcommerce.HooksSource {
			d.hookEntry.Kind = ev.Kind
			out = append(out, d.hookEntry)
		}
	}
	return out
}

// hookFailures are the ways a hook check fails other than a 403, each
// made and undone on the test's store, with what its sync log reason
// must name: what BigCommerce answered and what to check.
var hookFailures = []struct {
	name  string
	fail  func(e *env)
	mend  func(e *env)
	names []string
}{
	{"destination refused", // BigCommerce wants HTTPS on port 443: 422 naming the field
		func(e *env) { e.in.Config.AppURL = "https://app.example:8443" },
		func(e *env) { e.in.Config.AppURL = "https://app.example" },
		[]string{"422", "JSON data is missing or invalid", "destination", "https://app.example:8443/webhooks/bigcommerce",
			"port 443", "STOCKBELL_PUBLIC_URL", "create the webhook for " + bigcommerce.SubscribedScopes[0]}},
	{"API failing",
		func(e *env) { e.fake.SetAPIStatus(http.StatusServiceUnavailable) },
		func(e *env) { e.fake.SetAPIStatus(0) },
		[]string{"503", "Service Unavailable", "status.bigcommerce.com"}},
	{"API unreachable",
		func(e *env) { e.in.Client.BaseURL = "http://127.0.0.1:1" },
		func(e *env) { e.in.Client.BaseURL = e.fake.URL() },
		[]string{"could not be reached", "connection refused", "STOCKBELL_BIGCOMMERCE_API_URL"}},
	{"API too slow", // each answer comes after the client's timeout
		func(e *env) {
			e.in.Client.HTTP.Timeout = 20 * time.Millisecond
			e.fake.Answered = func(*http.Request) { time.Sleep(100 * time.Millisecond) }
		},
		func(e *env) { e.in.Client.HTTP.Timeout, e.fake.Answered = 30*time.Second, nil },
		[]string{"did not answer in time", "read the store's information", "status.bigcommerce.com"}},
}

// TestHookCheckFailuresAreLogged: a hook check that fails for any reason
// but a 403 (BigCommerce refusing a hook's destination with a 422, its
// API answering 5xx, or not reached at all) fails its job, to be
// retried, and records in the store's sync log, on the admin's banner,
// what BigCommerce answered and what to check: one entry however many
// runs meet the same failure. The check that then succeeds ends it.
func TestHookCheckFailuresAreLogged(t *testing.T) {
	for _, c := range hookFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				c.fail(e)
				for range 2 {
					if err := e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}); err == nil {
						t.Fatal("a failed hook check ended its job without an error: it is not retried")
					}
				}
				log := e.hooksLog(shop.ID)
				if fmt.Sprint(log) != "[failed 2]" {
					t.Fatalf("after two failed checks the sync log = %v, want one failure met twice", log)
				}
				for _, want := range c.names {
					if !strings.Contains(log[0].Reason, want) {
						t.Errorf("the reason %q does not name %q", log[0].Reason, want)
					}
				}
				failing, err := db.FindFailingSyncs(ctx, shop.ID)
				must(t, err)
				if len(failing) != 1 || !strings.Contains(failing[0].Detail, bigcommerce.HooksSource) {
					t.Fatalf("failing sources (the admin's banner) = %+v, want the hook check", failing)
				}
				c.mend(e)
				must(t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
				if log := e.hooksLog(shop.ID); fmt.Sprint(log) != "[sync_finished failed 2]" {
					t.Fatalf("after the check that succeeded the sync log = %v, want the recovery above the failure", log)
				}
				if len(hooksOf(e)) != len(bigcommerce.SubscribedScopes) {
					t.Fatalf("after the recovery the store has %d hooks", len(hooksOf(e)))
				}
			})
		})
	}
}

// TestHookCheckStoppedIsNotLogged: a hook check cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestHookCheckStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		stopping, stop := context.WithCancel(ctx)
		defer stop()
		e.fake.Answered = func(*http.Request) { stop() }
		if err := e.in.RegisterHooks(stopping, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}); err == nil {
			t.Fatal("the check cut short succeeded")
		}
		if log := e.hooksLog(shop.ID); len(log) != 0 {
			t.Fatalf("a check cut short by the process stopping logged %v", log)
		}
	})
}

// TestHookCheckTimedOutIsLogged: a hook check its job's timeout ended
// failed, and is recorded past the end of its context.
func TestHookCheckTimedOutIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		timedOut, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		e.fake.Answered = func(*http.Request) { time.Sleep(100 * time.Millisecond) }
		if err := e.in.RegisterHooks(timedOut, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}); err == nil {
			t.Fatal("the check its timeout ended succeeded")
		}
		if log := e.hooksLog(shop.ID); fmt.Sprint(log) != "[failed 1]" || !strings.Contains(log[0].Reason, "did not answer in time") {
			t.Fatalf("after a check its timeout ended the sync log = %+v, want its failure", log)
		}
	})
}

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
				synclogcheck.WantFailuresLogged(t, e.hooksJob(shop.ID), func() { c.mend(e) }, c.names)
				if len(hooksOf(e)) != len(bigcommerce.SubscribedScopes) {
					t.Fatalf("after the recovery the store has %d hooks", len(hooksOf(e)))
				}
			})
		})
	}
}

// hooksJob is the shop's hook check as a sync log source.
func (e *env) hooksJob(shopID int64) synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: shopID, Source: bigcommerce.HooksSource, What: "hook check",
		Run: func(ctx context.Context) error {
			return e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shopID})
		}}
}

// TestHookCheckStoppedIsNotLogged: a hook check cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestHookCheckStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		synclogcheck.WantStoppedNotLogged(t, e.hooksJob(shop.ID), e.stopOnAnswer)
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
		if log := e.hooksJob(shop.ID).Entries(t); fmt.Sprint(log) != "[failed 1]" || !strings.Contains(log[0].Reason, "did not answer in time") {
			t.Fatalf("after a check its timeout ended the sync log = %+v, want its failure", log)
		}
	})
}

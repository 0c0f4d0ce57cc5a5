package magento_test

import (
	"context"
	"fmt"
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

// reconcileFailures are catalogFailures met by the stock check, with what
// its sync log reason must name: the request, what the store answered (or
// that it did not) and what to check. Each failure is made before each run.
var reconcileFailures = []struct {
	name  string
	fail  func(e *jobsEnv)
	mend  func(e *jobsEnv)
	names []string
}{
	{"store failing", catalogFailures[0].fail, catalogFailures[0].mend,
		[]string{"503 Service Unavailable", "read the store's inventory sources", "exception.log", "check is tried again"}},
	{"store unreachable", catalogFailures[1].fail, catalogFailures[1].mend,
		[]string{"could not be reached", "connection refused", "read the store's inventory sources", "module's posts"}},
	{"stock read failing", // the sources and the first SKU's stock read, the next SKU's refused
		func(e *jobsEnv) {
			e.fake.Do(func(f *magentotest.Fake) {
				f.Unavailable = 0 // the previous run's
				f.BeforeStockItem = func(f *magentotest.Fake, _ string) { f.Unavailable = http.StatusServiceUnavailable }
			})
		},
		func(e *jobsEnv) {
			e.fake.Do(func(f *magentotest.Fake) { f.BeforeStockItem, f.Unavailable = nil, 0 })
		},
		[]string{"503 Service Unavailable", "read the stock of the variants shoppers wait for", "check is tried again"}},
}

// TestReconcileFailuresAreLogged: a stock check that fails for any
// reason but a refusal (the store answering 5xx past the client's
// retries, or not reached) fails its job, to be retried, and records in
// the store's sync log, on the admin's banner, what the store answered
// and what to check: one entry however many runs meet the same failure.
// The check that then reads the store again ends it.
func TestReconcileFailuresAreLogged(t *testing.T) {
	for _, c := range reconcileFailures {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newJobsEnv(t, db)
				e.subscribe("TEE-S", "ada@example.com")
				e.subscribe("MUG", "bob@example.com")
				failing := true
				job := e.reconcileJob()
				run := job.Run
				job.Run = func(ctx context.Context) error {
					if failing {
						c.fail(e) // before each failing run
					}
					return run(ctx)
				}
				synclogcheck.WantFailuresLogged(t, job, func() { failing = false; c.mend(e) }, c.names)
			})
		})
	}
}

// reconcileJob is the store's stock check as a sync log source.
func (e *jobsEnv) reconcileJob() synclogcheck.Job {
	return synclogcheck.Job{DB: e.db, ShopID: e.shop.ID, Source: magento.ReconcileSource, What: "stock check",
		Run: func(ctx context.Context) error {
			return e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID})
		}}
}

// TestReconcileTimedOutIsLogged: a stock check its job's timeout ended,
// the store being too slow, failed: it is recorded past the end of its
// context, one entry for two runs, and the job is retried.
func TestReconcileTimedOutIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.subscribe("TEE-S", "ada@example.com")
		e.fake.Do(func(f *magentotest.Fake) { f.Slow = 100 * time.Millisecond })
		for range 2 {
			timedOut, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			err := e.in.Reconcile(timedOut, stockbell.MagentoReconcileJob{ShopID: e.shop.ID})
			cancel()
			if err == nil {
				t.Fatal("a stock check its timeout ended succeeded")
			}
		}
		log := e.reconcileJob().Entries(t)
		if fmt.Sprint(log) != "[failed 2]" {
			t.Fatalf("after two checks their timeout ended the sync log = %v, want one failure met twice", log)
		}
		if !strings.Contains(log[0].Reason, "did not answer in time") {
			t.Errorf("the reason %q does not say the store did not answer in time", log[0].Reason)
		}
	})
}

// TestReconcileStoppedIsNotLogged: a stock check cut short because the
// process is stopping did not fail: nothing is in the sync log.
func TestReconcileStoppedIsNotLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.subscribe("TEE-S", "ada@example.com")
		synclogcheck.WantStoppedNotLogged(t, e.reconcileJob(), func(stop func()) {
			e.fake.Do(func(f *magentotest.Fake) { f.BeforeStockItem = func(*magentotest.Fake, string) { stop() } })
		})
	})
}

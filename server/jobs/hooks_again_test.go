package jobs_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHookRegistrationAskedForWhileItRunsRunsAgain: a reinstall queues the
// store's hook registration while the one queued before (the previous
// install's, or the hourly check's) may still run with the old token and
// secret. The platform deleted the hooks at the uninstall, and the
// reinstall brought a new secret (BigCommerce) or new scopes (Shopify), so
// the registration asked for must run once more after the running one,
// not be dropped as its duplicate.
func TestHookRegistrationAskedForWhileItRunsRunsAgain(t *testing.T) {
	for _, job := range []stockbell.JobArgs{
		stockbell.BigCommerceRegisterHooksJob{ShopID: 7},
		stockbell.ShopifyRegisterWebhooksJob{ShopID: 7},
	} {
		t.Run(job.Kind(), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				started, release := make(chan struct{}, 4), make(chan struct{})
				work := func() error {
					started <- struct{}{}
					<-release
					return nil
				}
				workers := jobs.NewWorkers()
				jobs.Handle(workers, func(context.Context, stockbell.BigCommerceRegisterHooksJob) error { return work() }, 0)
				jobs.Handle(workers, func(context.Context, stockbell.ShopifyRegisterWebhooksJob) error { return work() }, 0)
				queue := startQueue(t, db, workers)
				must(t, queue.Insert(ctx, job, &stockbell.JobOptions{UniqueByArgs: true}))
				<-started
				must(t, queue.Insert(ctx, job, &stockbell.JobOptions{UniqueByArgs: true}))
				close(release)
				select {
				case <-started:
				case <-time.After(20 * time.Second):
					t.Fatal("the registration asked for while the first ran never ran")
				}
				untilJobState(t, db, job.Kind(), "completed")
			})
		})
	}
}

package jobs_test

import (
	"context"
	"errors"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStoppingQueueCountsNoAttempt: the queue stops while a job runs and
// cancels it, on its first attempt and on its last. Whatever error its
// handler then returns (here a provider's, not the context's), the job
// is no failure: it is available to run again when a queue starts, its
// attempt not counted and no error recorded, so that its last attempt
// is still to come.
func TestStoppingQueueCountsNoAttempt(t *testing.T) {
	for name, attemptsBefore := range map[string]int{"first attempt": 0, "last attempt": 2} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				running := make(chan int, 1)
				workers := jobs.NewWorkers()
				jobs.Handle(workers, func(ctx context.Context, job probeJob) error {
					running <- stockbell.JobAttempt(ctx)
					<-ctx.Done()
					return errors.New("provider: connection reset by peer")
				}, 0)
				queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
				must(t, err)
				must(t, queue.Insert(ctx, probeJob{Name: "stopped"}, &stockbell.JobOptions{MaxAttempts: 3}))
				_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET attempt = ? WHERE kind = 'probe'`), attemptsBefore)
				must(t, err)
				must(t, queue.Start(ctx))
				if attempt := <-running; attempt != attemptsBefore+1 {
					t.Fatalf("the job runs attempt %d, want %d", attempt, attemptsBefore+1)
				}
				stopNow, cancel := context.WithCancel(ctx)
				cancel() // no grace: the running job is cancelled, as at the end of the shutdown timeout
				queue.Stop(stopNow)
				var state string
				var attempt int
				must(t, db.DB.QueryRowContext(ctx, `SELECT state, attempt FROM river_job WHERE kind = 'probe'`).Scan(&state, &attempt))
				if errs := jobErrors(t, db, "probe"); state != "available" || attempt != attemptsBefore || (errs != "" && errs != "[]") {
					t.Fatalf("the job stopped: %s at attempt %d with errors %s, want available at attempt %d with none",
						state, attempt, errs, attemptsBefore)
				}
			})
		})
	}
}

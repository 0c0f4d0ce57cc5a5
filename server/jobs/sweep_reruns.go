package jobs

import (
	"context"
	"fmt"
	"time"
)

// The sweep of the requests to run again.
const (
	// RerunSweepInterval is how often the sweep runs (a periodic job of
	// every working queue, inserted by the elected leader alone), as the
	// other hourly maintenance jobs.
	RerunSweepInterval = time.Hour
	// RerunSweepTimeout bounds one sweep: one DELETE.
	RerunSweepTimeout = time.Minute
)

// RerunSweepJob deletes the requests to run a job again (job_reruns)
// whose job can no longer run: finished (completed, cancelled, discarded)
// or deleted. A job ends without reading its requests only when River
// ends it without its handler's knowing (see againOfKind); those
// requests would otherwise stay forever.
type RerunSweepJob struct{}

// Kind implements JobArgs.
func (RerunSweepJob) Kind() string { return "sweep_job_reruns" }

// sweepRerunsQuery is the sweep, in SQL both databases read alike. A
// request is recorded only for a running job, in a transaction that River
// orders with the job's completion (see completeOrAgain), so a request of
// a finished job is never one still to serve.
const sweepRerunsQuery = `DELETE FROM job_reruns WHERE NOT EXISTS (SELECT 1 FROM river_job j
	WHERE j.id = job_reruns.job_id AND j.state NOT IN ('completed', 'cancelled', 'discarded'))`

// sweepReruns serves RerunSweepJob.
func sweepReruns(ctx context.Context, _ RerunSweepJob) error {
	client, _ := againDriver(ctx)
	if err := client.Driver().GetExecutor().Exec(ctx, sweepRerunsQuery); err != nil {
		return fmt.Errorf("jobs: sweep the requests to run finished jobs again: %w", err)
	}
	return nil
}

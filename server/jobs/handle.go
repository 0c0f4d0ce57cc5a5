package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	stockbell "github.com/stockbell/stockbell"
)

// Handler runs one kind of job. A returned error makes the queue retry the
// job with exponential backoff, except a *stockbell.RetryLaterError, which
// runs it again at the time it names without counting an attempt; return
// nil once the job's outcome is recorded.
type Handler[T stockbell.JobArgs] func(ctx context.Context, args T) error

// handlerWorker adapts a Handler to River's Worker interface, so that the
// packages doing the work never see River.
type handlerWorker[T stockbell.JobArgs] struct {
	river.WorkerDefaults[T]
	handle  Handler[T]
	timeout time.Duration
}

func (w *handlerWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	err := w.handle(ctx, job.Args)
	if later, ok := errors.AsType[*stockbell.RetryLaterError](err); ok {
		return river.JobSnooze(max(time.Until(later.At), 0))
	}
	return err
}

func (w *handlerWorker[T]) Timeout(*river.Job[T]) time.Duration {
	return w.timeout
}

// Handle registers fn as the worker of job kind T. A zero timeout is
// JobTimeout, for the quick kinds; give a kind whose work takes longer (a
// catalog sync) its own. A job of that kind left running by a dead process
// is rescued only after its own timeout.
func Handle[T stockbell.JobArgs](workers *river.Workers, fn Handler[T], timeout time.Duration) {
	river.AddWorker(workers, &handlerWorker[T]{handle: fn, timeout: timeout})
}

// Every returns a periodic job that inserts args every interval, first when
// the queue starts.
func Every(interval time.Duration, args func() stockbell.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args(), &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		},
		&river.PeriodicJobOpts{RunOnStart: true})
}

// NewWorkers returns an empty worker registry.
func NewWorkers() *river.Workers { return river.NewWorkers() }

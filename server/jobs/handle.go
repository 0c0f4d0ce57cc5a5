package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	stockbell "github.com/stockbell/stockbell"
)

// Handler runs one kind of job. A returned error makes the queue retry the
// job with exponential backoff; return nil once the job's outcome is recorded.
type Handler[T stockbell.JobArgs] func(ctx context.Context, args T) error

// handlerWorker adapts a Handler to River's Worker interface, so that the
// packages doing the work never see River.
type handlerWorker[T stockbell.JobArgs] struct {
	river.WorkerDefaults[T]
	handle  Handler[T]
	timeout time.Duration
}

func (w *handlerWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return w.handle(ctx, job.Args)
}

func (w *handlerWorker[T]) Timeout(*river.Job[T]) time.Duration {
	return w.timeout
}

// Handle registers fn as the worker of job kind T. A zero timeout keeps
// the queue's default.
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

package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
)

// Handler runs one kind of job. A returned error makes the queue retry the
// job with exponential backoff, except a *stockbell.RetryLaterError, which
// runs it again at the time it names without counting an attempt, and any
// error returned once the job's context was cancelled because the queue is
// stopping (stockbell.JobStopped), after which the job runs again when a
// queue next starts, the attempt not counted; return nil once the job's
// outcome is recorded.
type Handler[T stockbell.JobArgs] func(ctx context.Context, args T) error

// Workers collects the job handlers and periodic jobs of the components,
// before the working queue that runs them is started (see Config.Workers).
type Workers struct {
	river    *river.Workers
	periodic []*river.PeriodicJob
	kinds    []string
	// running counts the jobs the handlers run now.
	running *runningJobs
	// periodicKinds are the kinds of the periodic jobs.
	periodicKinds []string
}

// NewWorkers returns a set of workers holding only the queue's own
// maintenance: the hourly sweep of the requests to run again
// (RerunSweepJob).
func NewWorkers() *Workers {
	w := &Workers{river: river.NewWorkers(), running: &runningJobs{byKind: map[string]int{}}}
	Handle(w, sweepReruns, RerunSweepTimeout)
	Every(w, RerunSweepInterval, func() stockbell.JobArgs { return RerunSweepJob{} })
	return w
}

// Kinds returns the job kinds that have a handler, sorted.
func (w *Workers) Kinds() []string {
	kinds := slices.Clone(w.kinds)
	slices.Sort(kinds)
	return kinds
}

// PeriodicKinds returns the kinds of the periodic jobs (Every), sorted.
func (w *Workers) PeriodicKinds() []string {
	kinds := slices.Clone(w.periodicKinds)
	slices.Sort(kinds)
	return kinds
}

// handlerWorker adapts a Handler to River's Worker interface, so that the
// packages doing the work never see River.
type handlerWorker[T stockbell.JobArgs] struct {
	river.WorkerDefaults[T]
	handle  Handler[T]
	timeout time.Duration
	running *runningJobs
}

func (w *handlerWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	defer w.running.start(job.Kind)()
	again := againOfKind[job.Kind]
	if again {
		if err := forgetAgain(ctx, job.ID); err != nil {
			return err
		}
	}
	err := w.handle(handlerContext(ctx, job.JobRow), job.Args)
	if later, ok := errors.AsType[*stockbell.RetryLaterError](err); ok {
		if err := river.MetadataSet(ctx, postponementsKey, postponements(job.JobRow)+1); err != nil {
			return err
		}
		return river.JobSnooze(max(time.Until(later.At), 0))
	}
	if err != nil && stockbell.JobStopped(ctx) {
		return stopped(ctx, err)
	}
	switch {
	case !again:
		return err
	case err == nil:
		return completeOrAgain(ctx, job)
	case job.Attempt >= job.MaxAttempts:
		return againOrFail(ctx, job, err)
	}
	return err
}

// stopped is the error of a job whose context was cancelled before its
// handler returned, made to wrap the cancellation: River (v0.51) then
// makes a job cut short by the client stopping available again, its
// attempt taken back and no error recorded (its soft stop: the attempt's
// error must be context.Canceled), whatever error the work met as it was
// cut short (a provider's connection reset, say). A job cancelled
// remotely is cancelled still. A run asked for meanwhile (again kinds) is
// this next run.
func stopped(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w (%w)", err, ctx.Err())
}

// handlerContext gives the handler its job's attempt and how many times
// its handler put it off (postponements).
func handlerContext(ctx context.Context, job *rivertype.JobRow) context.Context {
	return stockbell.WithJobPostponements(stockbell.WithJobAttempt(ctx, job.Attempt), postponements(job))
}

// postponementsKey is the job metadata's count of the RetryLaterErrors
// that put the job off. River's own count (its "snoozes") also counts each
// run again of a sync (completeOrAgain, againOrFail), which waits for
// nothing.
const postponementsKey = "postponements"

// postponements is how many times the job's handler put it off: 0 for a
// job queued before they were counted.
func postponements(job *rivertype.JobRow) int {
	var meta map[string]json.RawMessage
	_ = json.Unmarshal(job.Metadata, &meta) // River writes it
	var n int
	_ = json.Unmarshal(meta[postponementsKey], &n) // Work writes it; without it, 0
	return n
}

func (w *handlerWorker[T]) Timeout(*river.Job[T]) time.Duration {
	return w.timeout
}

// Handle registers fn as the worker of job kind T. A zero timeout is
// JobTimeout, for the quick kinds; give a kind whose work takes longer (a
// catalog sync) its own. A job of that kind left running by a dead process
// is rescued only after its own timeout.
func Handle[T stockbell.JobArgs](w *Workers, fn Handler[T], timeout time.Duration) {
	river.AddWorker(w.river, &handlerWorker[T]{handle: fn, timeout: timeout, running: w.running})
	var args T
	w.kinds = append(w.kinds, args.Kind())
}

// Every has the working queue insert args every interval, first when it
// starts; only the elected leader among replicas inserts them.
func Every(w *Workers, interval time.Duration, args func() stockbell.JobArgs) {
	w.periodic = append(w.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args(), &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		},
		&river.PeriodicJobOpts{RunOnStart: true}))
	w.periodicKinds = append(w.periodicKinds, args().Kind())
}

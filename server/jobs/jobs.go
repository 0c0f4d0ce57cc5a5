// Package jobs runs Stockbell's durable work on River, on SQLite (riversqlite)
// and PostgreSQL (riverdatabasesql over pgx's database/sql driver) alike: both
// drivers work on *sql.Tx, so one client type and one set of workers serve
// both databases.
// Jobs are inserted in the caller's transaction; a rolled-back transaction
// leaves no job behind.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
)

// Database names the SQL database the queue lives in.
type Database struct {
	DB *sql.DB
	// Postgres is true on PostgreSQL, false on SQLite.
	Postgres bool
	// URL is the PostgreSQL URL; with it the queue listens for new jobs
	// (LISTEN/NOTIFY) instead of waiting for the next poll.
	URL string
}

// Config configures a Queue.
type Config struct {
	Database Database
	// Workers runs the job kinds and inserts the periodic jobs (periodic
	// jobs only on the elected leader replica); nil makes an insert-only
	// queue.
	Workers *Workers
	// MaxWorkers is how many jobs run at once in this process (default 10).
	MaxWorkers int
	Logger     *slog.Logger
}

// Queue is the job queue: a River client plus what it needs to close.
type Queue struct {
	Client   *river.Client[*sql.Tx]
	listener *pgxpool.Pool
	// db is where the queue's tables are, for Stats.
	db Database
	// running counts the jobs this queue's workers run (nil for an
	// insert-only queue).
	running *runningJobs
}

var _ stockbell.JobQueue = (*Queue)(nil)

// driver returns the River driver for the database.
func driver(ctx context.Context, d Database) (riverdriver.Driver[*sql.Tx], *pgxpool.Pool, error) {
	if !d.Postgres {
		return riversqlite.New(d.DB), nil, nil
	}
	if d.URL == "" {
		return riverdatabasesql.New(d.DB), nil, nil
	}
	pool, err := pgxpool.New(ctx, d.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: listener pool: %w", err)
	}
	return riverdatabasesql.NewWithPgxListener(d.DB, pool), pool, nil
}

// decisionFetchCooldown is the decision queue's FetchCooldown: longer
// where the queue listens for new jobs (see DecisionFetchCooldown).
func decisionFetchCooldown(d Database) time.Duration {
	if d.Postgres && d.URL != "" {
		return DecisionFetchCooldown
	}
	return FetchCooldown
}

// Migrate creates or upgrades River's own tables.
func Migrate(ctx context.Context, d Database) error {
	drv, pool, err := driver(ctx, Database{DB: d.DB, Postgres: d.Postgres})
	if err != nil {
		return err
	}
	if pool != nil {
		defer pool.Close()
	}
	migrator, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// New creates a queue. It does not start working: call Start.
func New(ctx context.Context, cfg Config) (*Queue, error) {
	drv, pool, err := driver(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	riverCfg := &river.Config{
		Logger:               cfg.Logger,
		FetchPollInterval:    PollInterval,
		FetchCooldown:        FetchCooldown,
		MaxAttempts:          MaxAttempts,
		JobTimeout:           JobTimeout,
		RescueStuckJobsAfter: RescueStuckJobsAfter,
	}
	if riverCfg.Logger == nil {
		riverCfg.Logger = slog.New(slog.DiscardHandler)
	} else {
		riverCfg.Logger = slog.New(bookkeepingAtDebug{cfg.Logger.Handler()})
	}
	if cfg.Workers != nil {
		maxWorkers := cfg.MaxWorkers
		if maxWorkers <= 0 {
			maxWorkers = 10
		}
		riverCfg.Workers = cfg.Workers.river
		riverCfg.PeriodicJobs = cfg.Workers.periodic
		riverCfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers},
			DecisionQueue: {MaxWorkers: DecisionWorkers, FetchCooldown: decisionFetchCooldown(cfg.Database)},
			SendQueue:     {MaxWorkers: SendWorkers}}
	}
	client, err := river.NewClient(drv, riverCfg)
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{Client: client, listener: pool, db: cfg.Database, running: cfg.Workers.runningJobs()}, nil
}

// InsertTx inserts a job in the caller's transaction.
// A job of a catalog sync's kind found running asks it to run once more
// (againOfKind).
func (q *Queue) InsertTx(ctx context.Context, tx *sql.Tx, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	res, err := q.Client.InsertTx(ctx, tx, args, insertOpts(args, opts))
	if err != nil || !asksAgain(args, opts) {
		return err
	}
	return q.askAgainTx(ctx, tx, res)
}

// InsertManyTx inserts jobs with the same options in the caller's
// transaction, in one statement.
func (q *Queue) InsertManyTx(ctx context.Context, tx *sql.Tx, args []stockbell.JobArgs, opts *stockbell.JobOptions) error {
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a, InsertOpts: insertOpts(a, opts)}
	}
	results, err := q.Client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return err
	}
	for i, res := range results {
		if !asksAgain(args[i], opts) {
			continue
		}
		if err := q.askAgainTx(ctx, tx, res); err != nil {
			return err
		}
	}
	return nil
}

// Insert inserts a job outside any transaction of the caller's.
// A job of a catalog sync's kind is inserted as InsertTx inserts it.
func (q *Queue) Insert(ctx context.Context, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	if asksAgain(args, opts) {
		return q.insertAsking(ctx, args, opts)
	}
	_, err := q.Client.Insert(ctx, args, insertOpts(args, opts))
	return err
}

// queueOfKind names the kinds that run in a queue of their own
// (DecisionQueue, SendQueue); the others run in the default queue. Jobs of
// these kinds queued before their queue existed stay in the default queue
// and run there.
var queueOfKind = map[string]string{
	stockbell.VariantStockChangedJob{}.Kind(): DecisionQueue,
	stockbell.RestockWaitEndedJob{}.Kind():    DecisionQueue,
	stockbell.SendMessageJob{}.Kind():         SendQueue,
}

// maxAttemptsOfKind names the kinds whose handler knows its last attempt
// by a number of its own, rather than by the queue's MaxAttempts.
var maxAttemptsOfKind = map[string]int{
	stockbell.SendMessageJob{}.Kind():      stockbell.SendMaxAttempts,
	stockbell.SendConfirmationJob{}.Kind(): stockbell.ConfirmationMaxAttempts,
}

func insertOpts(args stockbell.JobArgs, opts *stockbell.JobOptions) *river.InsertOpts {
	queue, maxAttempts := queueOfKind[args.Kind()], maxAttemptsOfKind[args.Kind()]
	if opts == nil {
		if queue == "" && maxAttempts == 0 {
			return nil
		}
		return &river.InsertOpts{Queue: queue, MaxAttempts: maxAttempts}
	}
	out := &river.InsertOpts{Queue: queue, ScheduledAt: opts.ScheduledAt, MaxAttempts: cmp.Or(opts.MaxAttempts, maxAttempts)}
	if opts.UniqueByArgs {
		// River's default unique states include completed jobs, which would
		// block the same job for as long as completed jobs are retained.
		out.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		}}
	}
	return out
}

// Start begins working jobs (a no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	return q.Client.Start(ctx)
}

// Stop lets running jobs finish (until ctx ends, then cancels them) and
// releases the listener. Jobs cut off that way make the error wrap ctx's,
// so that the caller can say the wait ran out, even when the cancelling
// itself went well.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.Client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		// Named before they are cancelled: once cancelled they are gone.
		cut := &CutOffError{Running: q.running.kinds(), Err: err}
		err = errors.Join(cut, q.Client.StopAndCancel(context.Background()))
	}
	if q.listener != nil {
		q.listener.Close()
	}
	return err
}

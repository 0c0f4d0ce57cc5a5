package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
)

// againOfKind names the kinds that run once more when asked for while
// they run: the catalog syncs, the read of a Shopify product's variants,
// and the hook registrations. They are queued unique by their arguments
// (stockbell.JobOptions.UniqueByArgs), and River counts a running job as
// a duplicate (its unique states must include running), so without this
// a sync asked for because of a change the running sync may already have
// read past (a product created after its last page) would be dropped
// until the next scheduled sync. A request that finds the same job
// running is recorded against it (job_reruns), and the job, when its
// handler succeeds, runs again instead of completing. The job itself runs
// again, so two syncs of one shop still never run at once (a sync marks
// deleted what its listing missed, and must not do so while another
// stores what it read).
//
// A request made while an attempt runs is served by the next run: at
// once when the attempt succeeds, by its retry when it fails. When the attempt that fails is the job's last, the sync asked
// for still runs: it was asked for after the failed one began, to read a
// change that one may have missed, and would have run had it been asked
// for a moment later, so the job runs once more, at once, instead of
// being discarded (againOrFail). A request outlives its job no longer
// than an hour: the hourly sweep (RerunSweepJob) deletes those of jobs
// that can no longer run, which River discarded or cancelled without the
// handler's knowing (a panic, a process that died on the last attempt, a
// cancellation) or which a request reached after its last check.
var againOfKind = map[string]bool{
	stockbell.MagentoCatalogSyncJob{}.Kind():     true,
	stockbell.PrestaShopCatalogSyncJob{}.Kind():  true,
	stockbell.BigCommerceCatalogSyncJob{}.Kind(): true,
	stockbell.ShopifyCatalogSyncJob{}.Kind():     true,
	stockbell.FeedSyncJob{}.Kind():               true,
	// The read of one Shopify product's variants is a sync of that
	// product: a products/update removing a variant while the listing
	// of the last one runs may not be in that listing.
	stockbell.ShopifyProductVariantsJob{}.Kind(): true,
	// A hook registration asked for by a reinstall must run after one
	// still running from before: the platform deleted the hooks at the
	// uninstall, and the reinstall brought a new secret (BigCommerce) or
	// new scopes (Shopify, whose orders topic follows them). Dropped as a
	// duplicate, the store's webhooks stayed missing or refused until the
	// hourly check. Registering again changes nothing when nothing changed.
	stockbell.BigCommerceRegisterHooksJob{}.Kind(): true,
	stockbell.ShopifyRegisterWebhooksJob{}.Kind():  true,
}

// asksAgain reports whether an insertion of args with opts that finds
// the same job running asks it to run again: a unique insertion of a
// kind that runs again, unless NoRerun.
func asksAgain(args stockbell.JobArgs, opts *stockbell.JobOptions) bool {
	return againOfKind[args.Kind()] && opts != nil && opts.UniqueByArgs && !opts.NoRerun
}

// againQueries record, forget and take a request to run a job again, per
// database (true: PostgreSQL).
// A failed attempt run again is recorded in the job's errors (appendError)
// as River records the errors of the attempts it retries.
var againQueries = map[bool]struct{ ask, forget, appendError string }{
	false: {ask: "INSERT INTO job_reruns (job_id) VALUES (?) ON CONFLICT DO NOTHING", forget: "DELETE FROM job_reruns WHERE job_id = ?",
		appendError: "UPDATE river_job SET errors = jsonb_insert(COALESCE(errors, jsonb('[]')), '$[#]', jsonb(?)) WHERE id = ?"},
	true: {ask: "INSERT INTO job_reruns (job_id) VALUES ($1) ON CONFLICT DO NOTHING", forget: "DELETE FROM job_reruns WHERE job_id = $1",
		appendError: "UPDATE river_job SET errors = array_append(errors, $1::jsonb) WHERE id = $2"},
}

// askAgainTx records, in the inserting transaction, that an insertion
// River skipped as a duplicate of a running job of a kind that runs
// again asks that job to run once more.
func (q *Queue) askAgainTx(ctx context.Context, tx *sql.Tx, res *rivertype.JobInsertResult) error {
	if res == nil || !res.UniqueSkippedAsDuplicate || res.Job.State != rivertype.JobStateRunning || !againOfKind[res.Job.Kind] {
		return nil
	}
	if _, err := tx.ExecContext(ctx, againQueries[q.db.Postgres].ask, res.Job.ID); err != nil {
		return fmt.Errorf("jobs: ask job %d to run again: %w", res.Job.ID, err)
	}
	return nil
}

// insertAsking inserts a job of a kind that runs again in a transaction
// of its own, so that a request taken for the running job is recorded
// with it.
func (q *Queue) insertAsking(ctx context.Context, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	tx, err := q.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := q.InsertTx(ctx, tx, args, opts); err != nil {
		return err
	}
	return tx.Commit()
}

// againDriver returns the running client's driver and whether it is
// PostgreSQL's.
func againDriver(ctx context.Context) (*river.Client[*sql.Tx], bool) {
	client := river.ClientFromContext[*sql.Tx](ctx)
	_, pg := client.Driver().(*riverdatabasesql.Driver)
	return client, pg
}

// forgetAgain drops the requests to run the job again made before this
// run began: this run reads its state afresh.
func forgetAgain(ctx context.Context, jobID int64) error {
	client, pg := againDriver(ctx)
	if err := client.Driver().GetExecutor().Exec(ctx, againQueries[pg].forget, jobID); err != nil {
		return fmt.Errorf("jobs: forget the requests to run job %d again: %w", jobID, err)
	}
	return nil
}

// completeOrAgain completes a job whose handler succeeded, unless it was
// asked to run again meanwhile: then it is snoozed to run at once. The
// completion and the check share one transaction, so a request is either
// seen here or, made after the completion, inserts a new job (a
// completed job is no duplicate): on SQLite transactions are serialized;
// on PostgreSQL River's insert of a duplicate locks the job's row, which
// the completion updates first. The handler's work is done: its
// transaction outlives the attempt's context, which the timeout may have
// ended as the handler returned.
func completeOrAgain[T stockbell.JobArgs](ctx context.Context, job *river.Job[T]) error {
	ctx = context.WithoutCancel(ctx)
	client, pg := againDriver(ctx)
	execTx, err := client.Driver().GetExecutor().Begin(ctx)
	if err != nil {
		return err
	}
	// Ended through River's executor, which on SQLite also releases the
	// connection it set apart for the transaction (the *sql.Tx alone
	// does not).
	defer execTx.Rollback(ctx)
	tx := client.Driver().UnwrapTx(execTx)
	if _, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("jobs: complete job %d: %w", job.ID, err)
	}
	res, err := tx.ExecContext(ctx, againQueries[pg].forget, job.ID)
	if err != nil {
		return fmt.Errorf("jobs: read the requests to run job %d again: %w", job.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n > 0 {
		// Asked again while running: undo the completion (the request
		// goes back too, and the next run forgets it as it begins).
		return river.JobSnooze(0)
	}
	return execTx.Commit(ctx)
}

// againOrFail ends a job whose last attempt failed: if it was asked to
// run again meanwhile, the request is taken and the attempt's error
// recorded, and the job is snoozed to run once more at once (a snooze
// does not count an attempt, so that run is again the last); otherwise
// River discards it. Its transaction outlives the attempt's context,
// which a timeout may have ended.
func againOrFail[T stockbell.JobArgs](ctx context.Context, job *river.Job[T], failure error) error {
	ctx = context.WithoutCancel(ctx)
	client, pg := againDriver(ctx)
	execTx, err := client.Driver().GetExecutor().Begin(ctx)
	if err != nil {
		return errors.Join(failure, err)
	}
	defer execTx.Rollback(ctx) // as in completeOrAgain
	tx := client.Driver().UnwrapTx(execTx)
	res, err := tx.ExecContext(ctx, againQueries[pg].forget, job.ID)
	if err != nil {
		return errors.Join(failure, fmt.Errorf("jobs: read the requests to run job %d again: %w", job.ID, err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return errors.Join(failure, err)
	} else if n == 0 {
		return failure
	}
	if err := recordAttemptError(ctx, tx, pg, job.JobRow, failure); err != nil {
		return errors.Join(failure, err)
	}
	if err := execTx.Commit(ctx); err != nil {
		return errors.Join(failure, err)
	}
	return river.JobSnooze(0)
}

// recordAttemptError appends the failed attempt's error to the job's
// errors, in River's form.
func recordAttemptError(ctx context.Context, tx *sql.Tx, pg bool, job *rivertype.JobRow, failure error) error {
	at := time.Now()
	if job.AttemptedAt != nil {
		at = *job.AttemptedAt
	}
	entry, err := json.Marshal(rivertype.AttemptError{At: at.UTC(), Attempt: job.Attempt, Error: failure.Error()})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, againQueries[pg].appendError, string(entry), job.ID); err != nil {
		return fmt.Errorf("jobs: record the error of job %d: %w", job.ID, err)
	}
	return nil
}

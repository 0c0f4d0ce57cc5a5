package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
)

// againOfKind names the kinds that run once more when asked for while
// they run: the catalog syncs. They are queued unique by their arguments
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
var againOfKind = map[string]bool{
	stockbell.MagentoCatalogSyncJob{}.Kind():     true,
	stockbell.PrestaShopCatalogSyncJob{}.Kind():  true,
	stockbell.BigCommerceCatalogSyncJob{}.Kind(): true,
	stockbell.ShopifyCatalogSyncJob{}.Kind():     true,
	stockbell.FeedSyncJob{}.Kind():               true,
}

// againQueries record, forget and take a request to run a job again, per
// database (true: PostgreSQL).
var againQueries = map[bool]struct{ ask, forget string }{
	false: {ask: "INSERT INTO job_reruns (job_id) VALUES (?) ON CONFLICT DO NOTHING", forget: "DELETE FROM job_reruns WHERE job_id = ?"},
	true:  {ask: "INSERT INTO job_reruns (job_id) VALUES ($1) ON CONFLICT DO NOTHING", forget: "DELETE FROM job_reruns WHERE job_id = $1"},
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
// the completion updates first.
func completeOrAgain[T stockbell.JobArgs](ctx context.Context, job *river.Job[T]) error {
	client, pg := againDriver(ctx)
	execTx, err := client.Driver().GetExecutor().Begin(ctx)
	if err != nil {
		return err
	}
	tx := client.Driver().UnwrapTx(execTx)
	defer tx.Rollback()
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
	return tx.Commit()
}

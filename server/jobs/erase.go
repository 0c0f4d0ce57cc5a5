package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
)

// eraseQueries select a shop's candidate jobs of one kind (their id,
// state and arguments as JSON text) and change what EraseShopJobsTx
// keeps. The shop is matched on the arguments' shop_id by the database
// first (on PostgreSQL through River's GIN index on args), then in Go. A
// job without a shop is never a candidate, except for unowned.
var eraseQueries = map[bool]struct{ owned, unowned, lock, scrub string }{
	false: {
		owned:   "json_extract(args, '$.shop_id') = ?",
		unowned: "COALESCE(json_extract(args, '$.shop_id'), 0) = 0",
		scrub:   "UPDATE river_job SET args = jsonb(?), errors = NULL WHERE id = ? AND state = 'running'",
	},
	true: {
		owned:   "args @> ?::jsonb",
		unowned: "(args->'shop_id' IS NULL OR args->'shop_id' = '0'::jsonb)",
		// Locked, the rows cannot be fetched by a worker (River fetches
		// with SKIP LOCKED) between their reading and their deletion.
		lock:  " FOR UPDATE",
		scrub: "UPDATE river_job SET args = ?::jsonb, errors = NULL WHERE id = ? AND state = 'running'",
	},
}

// eraseBatch is how many jobs one DELETE names.
const eraseBatch = 500

// EraseShopJobsTx erases a shop's jobs of one kind from the queue, in the
// caller's transaction: the jobs whose arguments carry the shop's id
// (shop_id), and, when unowned is not nil, those of the kind that carry
// no shop (queued before jobs carried their shop) for which unowned
// reports true. Every such job that is not running is deleted, whatever
// its state: waiting (available, scheduled, retryable, pending) or
// finished and kept by River's cleaner (completed, cancelled,
// discarded); a job unique by its arguments no longer holds its key. A
// running job cannot be deleted under its worker: its errors from
// earlier attempts are emptied and, when scrub is not nil, its arguments
// replaced by what scrub returns; the running attempt goes on with what
// it read, and any later attempt reads the new arguments. It returns how
// many jobs were deleted and how many running ones were rewritten.
//
// A job whose shop_id is 0 or missing is never taken for the shop without
// unowned: a periodic job, or one whose 0 means every shop. Give no scrub
// for a kind unique by its arguments, whose unique key was computed from
// the arguments at the insert.
func (q *Queue) EraseShopJobsTx(ctx context.Context, tx *sql.Tx, kind string, shopID int64,
	unowned func(args []byte) (bool, error), scrub func(args []byte) ([]byte, error)) (deleted, rewritten int, err error) {
	if shopID == 0 {
		return 0, 0, fmt.Errorf("jobs: erase the jobs of shop 0")
	}
	candidates, err := q.shopJobCandidates(ctx, tx, kind, shopID, unowned != nil)
	if err != nil {
		return 0, 0, err
	}
	var gone []int64
	for _, c := range candidates {
		ok, err := belongsTo(c.args, shopID, unowned)
		if err != nil {
			return 0, 0, fmt.Errorf("jobs: read the arguments of job %d: %w", c.id, err)
		}
		if !ok {
			continue
		}
		if !c.running {
			gone = append(gone, c.id)
			continue
		}
		if err := q.scrubRunning(ctx, tx, c.storedArgs, scrub); err != nil {
			return len(gone), rewritten, err
		}
		rewritten++
	}
	if err := q.deleteJobs(ctx, tx, gone); err != nil {
		return 0, rewritten, err
	}
	return len(gone), rewritten, nil
}

type shopJobCandidate struct {
	storedArgs
	running bool
}

// shopJobCandidates reads the jobs of the kind the database finds naming
// the shop, or no shop when withUnowned.
func (q *Queue) shopJobCandidates(ctx context.Context, tx *sql.Tx, kind string, shopID int64, withUnowned bool) ([]shopJobCandidate, error) {
	sqlText, argsText := eraseQueries[q.db.Postgres], rewriteQueries[q.db.Postgres].args
	var owned any = shopID
	if q.db.Postgres {
		owned = `{"shop_id":` + strconv.FormatInt(shopID, 10) + `}`
	}
	match := sqlText.owned
	if withUnowned {
		match = "(" + sqlText.owned + " OR " + sqlText.unowned + ")"
	}
	rows, err := tx.QueryContext(ctx, q.bind(`SELECT id, CASE WHEN state = 'running' THEN 1 ELSE 0 END, `+argsText+` FROM river_job WHERE kind = ? AND `+match+
		` ORDER BY id`+sqlText.lock), kind, owned)
	if err != nil {
		return nil, fmt.Errorf("jobs: read the jobs of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	var out []shopJobCandidate
	for rows.Next() {
		var c shopJobCandidate
		var text string
		if err := rows.Scan(&c.id, &c.running, &text); err != nil {
			return nil, fmt.Errorf("jobs: read the jobs of shop %d: %w", shopID, err)
		}
		c.args = []byte(text)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: read the jobs of shop %d: %w", shopID, err)
	}
	return out, nil
}

// belongsTo checks in Go what the database selected: the job's shop_id is
// the shop's, or it has none and unowned says the job is the shop's.
func belongsTo(args []byte, shopID int64, unowned func(args []byte) (bool, error)) (bool, error) {
	var fields struct {
		ShopID json.Number `json:"shop_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return false, err
	}
	if fields.ShopID != "" && fields.ShopID != "0" {
		id, err := fields.ShopID.Int64()
		return err == nil && id == shopID, nil
	}
	if unowned == nil {
		return false, nil
	}
	return unowned(args)
}

// scrubRunning empties a running job's errors and gives it the arguments
// scrub returns (its own without scrub).
func (q *Queue) scrubRunning(ctx context.Context, tx *sql.Tx, c storedArgs, scrub func(args []byte) ([]byte, error)) error {
	args := c.args
	if scrub != nil {
		var err error
		if args, err = scrub(c.args); err != nil {
			return fmt.Errorf("jobs: rewrite the arguments of running job %d: %w", c.id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, q.bind(eraseQueries[q.db.Postgres].scrub), string(args), c.id); err != nil {
		return fmt.Errorf("jobs: rewrite running job %d: %w", c.id, err)
	}
	return nil
}

// deleteJobs deletes the jobs by id, unless one is running (on SQLite,
// whose writes are serial, nothing can have fetched it meanwhile; on
// PostgreSQL the rows are locked).
func (q *Queue) deleteJobs(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for start := 0; start < len(ids); start += eraseBatch {
		batch := ids[start:min(start+eraseBatch, len(ids))]
		args := make([]any, len(batch))
		marks := make([]byte, 0, 2*len(batch))
		for i, id := range batch {
			args[i] = id
			if i > 0 {
				marks = append(marks, ',')
			}
			marks = append(marks, '?')
		}
		query := `DELETE FROM river_job WHERE id IN (` + string(marks) + `) AND state <> 'running'`
		if _, err := tx.ExecContext(ctx, q.bind(query), args...); err != nil {
			return fmt.Errorf("jobs: delete jobs: %w", err)
		}
		// A deleted sync's requests to run again (job_reruns) go with it.
		if _, err := tx.ExecContext(ctx, q.bind(`DELETE FROM job_reruns WHERE job_id IN (`+string(marks)+`)`), args...); err != nil {
			return fmt.Errorf("jobs: forget the deleted jobs' requests to run again: %w", err)
		}
	}
	return nil
}

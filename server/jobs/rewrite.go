package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// rewriteQueries read the candidates of RewriteArgsTx (their arguments as
// JSON text: SQLite keeps them as JSONB) and store arguments back.
var rewriteQueries = map[bool]struct{ args, update string }{
	false: {"json(args)", "UPDATE river_job SET args = jsonb(?) WHERE id = ?"},
	true:  {"args::text", "UPDATE river_job SET args = ?::jsonb WHERE id = ?"},
}

// RewriteArgsTx lets rewrite change the stored arguments of jobs, in the
// caller's transaction: every job of the kind, in any state (finished
// jobs are kept for days), whose arguments' JSON text meets holds (the
// SQL condition it returns on the text expression it is given, with ?
// for the arguments it returns too) is passed to rewrite,
// and the arguments it returns are stored when it reports a change. It
// returns how many jobs changed. It is how an erasure takes personal data
// out of queued and finished jobs.
//
// River reads a job's arguments when it fetches the job and never writes
// them after the insert: a running attempt goes on with what it read, and
// every later attempt reads the rewritten arguments. Not for kinds that
// are unique by their arguments, whose unique key was computed from the
// arguments at the insert.
func (q *Queue) RewriteArgsTx(ctx context.Context, tx *sql.Tx, kind string, holds func(expr string) (string, []any),
	rewrite func(args []byte) ([]byte, bool, error)) (int, error) {
	sqlText := rewriteQueries[q.db.Postgres]
	candidates, err := q.readArgs(ctx, tx, kind, holds)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, c := range candidates {
		out, ok, err := rewrite(c.args)
		if err != nil {
			return changed, fmt.Errorf("jobs: rewrite the arguments of job %d: %w", c.id, err)
		}
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, q.bind(sqlText.update), string(out), c.id); err != nil {
			return changed, fmt.Errorf("jobs: rewrite the arguments of job %d: %w", c.id, err)
		}
		changed++
	}
	return changed, nil
}

type storedArgs struct {
	id   int64
	args []byte
}

// queuedArgs are a job's stored arguments and when it was queued.
type queuedArgs struct {
	storedArgs
	queuedAt time.Time
}

// readArgs reads, oldest first, the arguments of every job of the kind
// whose arguments' JSON text meets holds, whole before any is rewritten or
// visited: one statement at a time on a transaction.
func (q *Queue) readArgs(ctx context.Context, tx Queryer, kind string, holds func(expr string) (string, []any)) ([]queuedArgs, error) {
	argsText := rewriteQueries[q.db.Postgres].args
	condition, args := holds(argsText)
	query := `SELECT id, created_at, ` + argsText + ` FROM river_job WHERE kind = ? AND (` + condition + `) ORDER BY id`
	rows, err := tx.QueryContext(ctx, q.bind(query), append([]any{kind}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("jobs: read job arguments: %w", err)
	}
	defer rows.Close()
	var out []queuedArgs
	for rows.Next() {
		var c queuedArgs
		var text string
		if err := rows.Scan(&c.id, &c.queuedAt, &text); err != nil {
			return nil, fmt.Errorf("jobs: read job arguments: %w", err)
		}
		c.args = []byte(text)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: read job arguments: %w", err)
	}
	return out, nil
}

// bind numbers a query's ? placeholders $1, $2… on PostgreSQL.
func (q *Queue) bind(query string) string {
	if !q.db.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

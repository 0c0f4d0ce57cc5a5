package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrorTextsTx calls visit with each string of each attempt's error River
// recorded for the shop's jobs that RewriteErrorsTx would pass to its
// rewrite (the same jobs, the same strings): the attempt's error, its
// trace, any other string River keeps with it, in the order of the
// attempts and, within one, of their names. An entry that is a bare
// string is visited as attempt 0's "error", with no time. Nothing is
// locked: it is how a data request reports the errors an erasure would
// rewrite. tx may be a transaction or the pool.
func (q *Queue) ErrorTextsTx(ctx context.Context, tx Queryer, shopID int64, holds func(expr string) (string, []any),
	unowned func(kind string, args []byte) (bool, error), visit func(job int64, kind string, attempt int, at time.Time, field, text string)) error {
	if shopID == 0 {
		return fmt.Errorf("jobs: read the errors of shop 0's jobs")
	}
	candidates, err := q.shopErrorCandidates(ctx, tx, shopID, holds, unowned, false)
	if err != nil {
		return err
	}
	for _, c := range candidates {
		if err := visitAttemptErrors(c.errors, func(attempt int, at time.Time, field, text string) {
			visit(c.id, c.kind, attempt, at, field, text)
		}); err != nil {
			return fmt.Errorf("jobs: read the errors of job %d: %w", c.id, err)
		}
	}
	return nil
}

// visitAttemptErrors calls visit with every string of a job's recorded
// errors (see rewriteAttemptErrors), with its attempt's number and time.
func visitAttemptErrors(errs []byte, visit func(attempt int, at time.Time, field, text string)) error {
	var entries []json.RawMessage
	if err := json.Unmarshal(errs, &entries); err != nil {
		return err
	}
	for _, entry := range entries {
		var text string
		if json.Unmarshal(entry, &text) == nil {
			visit(0, time.Time{}, "error", text)
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(entry, &fields) != nil {
			continue // a number or null names no one
		}
		var attempt int
		var at time.Time
		json.Unmarshal(fields["attempt"], &attempt)
		json.Unmarshal(fields["at"], &at)
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if json.Unmarshal(fields[name], &text) == nil {
				visit(attempt, at, name, text)
			}
		}
	}
	return nil
}

// ArgsTx calls visit with the stored arguments (as JSON text) of the
// jobs RewriteArgsTx would pass to its rewrite (every job of the kind, in
// any state, whose arguments meet holds), and when each was queued,
// oldest first. Nothing is locked: it is how a data request reports the
// arguments an erasure would rewrite. tx may be a transaction or the pool.
func (q *Queue) ArgsTx(ctx context.Context, tx Queryer, kind string, holds func(expr string) (string, []any),
	visit func(job int64, queuedAt time.Time, args []byte) error) error {
	argsText := rewriteQueries[q.db.Postgres].args
	condition, args := holds(argsText)
	rows, err := tx.QueryContext(ctx, q.bind(`SELECT id, created_at, `+argsText+` FROM river_job WHERE kind = ? AND (`+condition+`) ORDER BY id`),
		append([]any{kind}, args...)...)
	if err != nil {
		return fmt.Errorf("jobs: read job arguments: %w", err)
	}
	type queued struct {
		storedArgs
		at time.Time
	}
	var jobs []queued
	for rows.Next() {
		var j queued
		var text string
		if err := rows.Scan(&j.id, &j.at, &text); err != nil {
			rows.Close()
			return fmt.Errorf("jobs: read job arguments: %w", err)
		}
		j.args = []byte(text)
		jobs = append(jobs, j)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("jobs: read job arguments: %w", err)
	}
	for _, j := range jobs {
		if err := visit(j.id, j.at.UTC(), j.args); err != nil {
			return fmt.Errorf("jobs: read the arguments of job %d: %w", j.id, err)
		}
	}
	return nil
}

package jobs

import (
	"context"
	"fmt"
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
		_, _, err := walkAttemptErrors(c.errors, func(e errorText) (string, bool) {
			visit(c.id, c.kind, e.attempt, e.at, e.field, e.text)
			return "", false
		})
		if err != nil {
			return fmt.Errorf("jobs: read the errors of job %d: %w", c.id, err)
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
	jobs, err := q.readArgs(ctx, tx, kind, holds)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := visit(j.id, j.queuedAt.UTC(), j.args); err != nil {
			return fmt.Errorf("jobs: read the arguments of job %d: %w", j.id, err)
		}
	}
	return nil
}

package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// errorsQueries read the candidates of RewriteErrorsTx (their kind,
// arguments and errors as JSON text: on SQLite River keeps errors as a
// JSONB array, on PostgreSQL as a jsonb[] array) and store errors back,
// in the same order.
var errorsQueries = map[bool]struct{ errors, lock, update string }{
	false: {
		errors: "json(errors)",
		update: "UPDATE river_job SET errors = jsonb(?) WHERE id = ?",
	},
	true: {
		errors: "array_to_json(errors)::text",
		// Locked, a job's errors cannot gain an attempt's error (River
		// appends it on completion) between their reading and their
		// writing, which would drop it.
		lock: " FOR UPDATE",
		update: "UPDATE river_job SET errors = ARRAY(SELECT e FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n) " +
			"WHERE id = ?",
	},
}

// RewriteErrorsTx lets rewrite change the texts of the errors River
// recorded for a shop's jobs, in the caller's transaction: every job of
// any kind, in any state (finished jobs are kept for days), whose
// arguments carry the shop's id (shop_id), or carry none and unowned
// reports true for it, and whose errors' JSON text meets holds (as in
// RewriteArgsTx). Each
// string of each
// recorded attempt (its error and its trace) is passed to rewrite, and
// the errors are stored back with the strings it changed: as many
// entries as before, each with its time and attempt number. It returns
// how many jobs changed. It is how an erasure takes personal data out of
// the errors of queued and finished jobs (a mail server's refusal names
// its recipient).
//
// An attempt running meanwhile appends its own error once the
// transaction is over: what that attempt read it may still name.
func (q *Queue) RewriteErrorsTx(ctx context.Context, tx *sql.Tx, shopID int64, holds func(expr string) (string, []any),
	unowned func(kind string, args []byte) (bool, error), rewrite func(text string) (string, bool)) (int, error) {
	if shopID == 0 {
		return 0, fmt.Errorf("jobs: rewrite the errors of shop 0's jobs")
	}
	candidates, err := q.shopErrorCandidates(ctx, tx, shopID, holds, unowned, true)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, c := range candidates {
		out, ok, err := walkAttemptErrors(c.errors, func(e errorText) (string, bool) { return rewrite(e.text) })
		if err != nil {
			return changed, fmt.Errorf("jobs: read the errors of job %d: %w", c.id, err)
		}
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, q.bind(errorsQueries[q.db.Postgres].update), string(out), c.id); err != nil {
			return changed, fmt.Errorf("jobs: rewrite the errors of job %d: %w", c.id, err)
		}
		changed++
	}
	return changed, nil
}

type errorCandidate struct {
	storedArgs
	kind   string
	errors []byte
}

// Queryer runs a query: a *sql.Tx, or a *sql.DB for a read that needs
// no transaction.
type Queryer = interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// shopErrorCandidates reads, whole before any is rewritten, the shop's
// jobs whose errors meet holds: those whose arguments carry its shop_id,
// and those that carry none which unowned reports as the shop's. lock
// (PostgreSQL) keeps their errors from changing until the transaction
// ends.
func (q *Queue) shopErrorCandidates(ctx context.Context, tx Queryer, shopID int64, holds func(expr string) (string, []any),
	unowned func(kind string, args []byte) (bool, error), lock bool) ([]errorCandidate, error) {
	candidates, err := q.errorCandidates(ctx, tx, shopID, holds, unowned != nil, lock)
	if err != nil {
		return nil, err
	}
	var out []errorCandidate
	for _, c := range candidates {
		var ofKind func([]byte) (bool, error)
		if unowned != nil {
			ofKind = func(args []byte) (bool, error) { return unowned(c.kind, args) }
		}
		ok, err := belongsTo(c.args, shopID, ofKind)
		if err != nil {
			return nil, fmt.Errorf("jobs: read the arguments of job %d: %w", c.id, err)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// errorCandidates reads the jobs the database finds naming the shop (or
// no shop, when withUnowned) whose errors meet holds.
func (q *Queue) errorCandidates(ctx context.Context, tx Queryer, shopID int64, holds func(expr string) (string, []any), withUnowned, lock bool) ([]errorCandidate, error) {
	owner, sqlText := eraseQueries[q.db.Postgres], errorsQueries[q.db.Postgres]
	var owned any = shopID
	if q.db.Postgres {
		owned = `{"shop_id":` + strconv.FormatInt(shopID, 10) + `}`
	}
	match := owner.owned
	if withUnowned {
		match = "(" + owner.owned + " OR " + owner.unowned + ")"
	}
	condition, args := holds(sqlText.errors)
	args = append([]any{owned}, args...)
	query := `SELECT id, kind, ` + rewriteQueries[q.db.Postgres].args + `, ` + sqlText.errors + ` FROM river_job WHERE ` + match +
		` AND errors IS NOT NULL AND (` + condition + `) ORDER BY id`
	if lock {
		query += sqlText.lock
	}
	rows, err := tx.QueryContext(ctx, q.bind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: read the errors of shop %d's jobs: %w", shopID, err)
	}
	defer rows.Close()
	var out []errorCandidate
	for rows.Next() {
		var c errorCandidate
		var args, errs string
		if err := rows.Scan(&c.id, &c.kind, &args, &errs); err != nil {
			return nil, fmt.Errorf("jobs: read the errors of shop %d's jobs: %w", shopID, err)
		}
		c.args, c.errors = []byte(args), []byte(errs)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: read the errors of shop %d's jobs: %w", shopID, err)
	}
	return out, nil
}

// errorText is one string of a job's recorded errors: the number and
// time of its attempt, and the field of the attempt's error it is in.
type errorText struct {
	attempt int
	at      time.Time
	field   string
	text    string
}

// walkAttemptErrors passes every string of a job's recorded errors (a
// JSON array of River's attempt errors: at, attempt, error, trace) to
// rewrite, in the order of the attempts and, within one, of their fields'
// names, and returns the array with the strings it changed, and whether
// it changed any. An entry that is a bare string is passed as attempt 0's
// "error", with no time, and rewritten as one.
func walkAttemptErrors(errs []byte, rewrite func(errorText) (string, bool)) ([]byte, bool, error) {
	var entries []json.RawMessage
	if err := json.Unmarshal(errs, &entries); err != nil {
		return nil, false, err
	}
	changed := false
	for i, entry := range entries {
		out, ok, err := walkEntry(entry, rewrite)
		if err != nil {
			return nil, false, err
		}
		if ok {
			entries[i], changed = out, true
		}
	}
	if !changed {
		return nil, false, nil
	}
	out, err := json.Marshal(entries)
	return out, err == nil, err
}

// walkEntry rewrites the strings of one attempt's error: the entry itself
// if it is a string, its fields' strings if it is an object.
func walkEntry(entry json.RawMessage, rewrite func(errorText) (string, bool)) (json.RawMessage, bool, error) {
	if text, ok := jsonString(entry); ok {
		return rewriteString(errorText{field: "error", text: text}, rewrite)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(entry, &fields) != nil {
		return nil, false, nil // a number or null names no one
	}
	e := errorText{}
	json.Unmarshal(fields["attempt"], &e.attempt)
	json.Unmarshal(fields["at"], &e.at)
	changed := false
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		text, ok := jsonString(fields[name])
		if !ok {
			continue
		}
		e.field, e.text = name, text
		out, ok, err := rewriteString(e, rewrite)
		if err != nil {
			return nil, false, err
		}
		if ok {
			fields[name], changed = out, true
		}
	}
	if !changed {
		return nil, false, nil
	}
	out, err := json.Marshal(fields)
	return out, err == nil, err
}

// jsonString returns the string a JSON value is, if it is one (a null is
// not).
func jsonString(value json.RawMessage) (string, bool) {
	var text *string
	if json.Unmarshal(value, &text) != nil || text == nil {
		return "", false
	}
	return *text, true
}

// rewriteString returns a string rewritten, as JSON, if rewrite changed it.
func rewriteString(text errorText, rewrite func(errorText) (string, bool)) (json.RawMessage, bool, error) {
	out, ok := rewrite(text)
	if !ok {
		return nil, false, nil
	}
	quoted, err := json.Marshal(out)
	return quoted, err == nil, err
}

package store

import (
	"database/sql"
	"errors"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// where collects the conditions and arguments of a filter's WHERE clause.
type where struct {
	conds []string
	args  []any
}

// add appends a condition with `?` placeholders and its arguments.
func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// String returns " WHERE a AND b", or "" when nothing filters.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// isNoRows reports whether err says a query found no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// mustAffect turns an UPDATE or DELETE that touched no row into ENOTFOUND.
func mustAffect(res sql.Result, err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return stockbell.Errorf(stockbell.ENOTFOUND, format+" not found", args...)
	}
	return nil
}

// shopScope starts a filter's WHERE clause with its shop, which is
// required: a filter without one is EINVALID, never "all shops".
func shopScope(column string, shopID *int64) (where, error) {
	var w where
	if shopID == nil {
		return w, stockbell.FieldErrorf("shop_id", "A shop is required: a filter without one would read every shop's rows.")
	}
	w.add(column+" = ?", *shopID)
	return w, nil
}

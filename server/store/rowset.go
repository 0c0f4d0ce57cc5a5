package store

import (
	"fmt"
	"strings"
	"time"
)

// rowSet is a batch of rows, held column by column, that one statement
// reads as a table named in a WITH clause. On PostgreSQL each column is one
// array parameter (unnest), so a batch of any size is one statement whose
// text never changes: nothing to parse and plan per row, and no statement
// with thousands of parameters. On SQLite the rows are a VALUES list of
// placeholders, in chunks of rowsPerInsert.
type rowSet struct {
	name string
	cols []rowColumn
	n    int
	// planOnce: see plannedOnce.
	planOnce bool
}

// rowColumn is one column: its name, its type on PostgreSQL, and its
// values ([]int64, []string, []bool, [][]byte or []time.Time).
type rowColumn struct {
	name   string
	pgType string
	values any
}

func newRowSet(name string) *rowSet { return &rowSet{name: name} }

// plannedOnce has PostgreSQL plan the statement reading the set once per
// connection, for the group writer's batches of a few to a few hundred
// rows. The set's table ends in LIMIT with the set's size, bound: the
// planner estimates a limit it cannot see as a tenth of its input (one
// row), so the plan made for no size in particular (the generic plan) is
// the cheapest by estimate, and the plan cache keeps it after its first
// five runs. Without it, a statement reading arrays of a few rows was
// planned again at every run, its custom plans estimated cheaper than the
// generic one: with three replicas, whose batches are a third of one
// replica's, that was a plan for every batch, 0.2 ms of PostgreSQL's CPU.
// The statement's joins must not depend on the row estimate (look rows up
// by key).
func (r *rowSet) plannedOnce() *rowSet {
	r.planOnce = true
	return r
}

// int64s adds a BIGINT column.
func (r *rowSet) int64s(name string, values []int64) *rowSet {
	return r.add(rowColumn{name: name, pgType: "BIGINT", values: values}, len(values))
}

// bools adds a BOOLEAN column.
func (r *rowSet) bools(name string, values []bool) *rowSet {
	return r.add(rowColumn{name: name, pgType: "BOOLEAN", values: values}, len(values))
}

// blobs adds a BYTEA (SQLite: BLOB) column.
func (r *rowSet) blobs(name string, values [][]byte) *rowSet {
	return r.add(rowColumn{name: name, pgType: "BYTEA", values: values}, len(values))
}

// times adds a TIMESTAMPTZ column. PostgreSQL gets the times as one array;
// SQLite gets each time.Time, which the driver stores in its own format.
func (r *rowSet) times(name string, values []time.Time) *rowSet {
	return r.add(rowColumn{name: name, pgType: "TIMESTAMPTZ", values: values}, len(values))
}

// texts adds a TEXT column.
func (r *rowSet) texts(name string, values []string) *rowSet {
	return r.add(rowColumn{name: name, pgType: "TEXT", values: values}, len(values))
}

func (r *rowSet) add(c rowColumn, n int) *rowSet {
	if len(r.cols) > 0 && n != r.n {
		panic(fmt.Sprintf("store: row set %s: column %s has %d values, the others %d", r.name, c.name, n, r.n))
	}
	r.cols, r.n = append(r.cols, c), n
	return r
}

// each calls fn with the WITH clause ("name(cols) AS (…)", no WITH) and
// its arguments for each chunk of rows, lo to hi: the whole set at once on
// PostgreSQL. An empty set calls nothing.
func (r *rowSet) each(tx *Tx, fn func(with string, args []any, lo, hi int) error) error {
	size := rowsPerInsert
	if tx.db.Dialect == Postgres {
		size = max(r.n, 1)
	}
	for lo := 0; lo < r.n; lo += size {
		hi := min(lo+size, r.n)
		with, args := r.clause(tx.db.Dialect, lo, hi)
		if err := fn(with, args, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

func (r *rowSet) clause(dialect Dialect, lo, hi int) (string, []any) {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.name
	}
	head := r.name + "(" + strings.Join(names, ", ") + ") AS ("
	if dialect == Postgres {
		arrays := make([]string, len(r.cols))
		args := make([]any, len(r.cols))
		for i, c := range r.cols {
			arrays[i] = "CAST(? AS " + c.pgType + "[])"
			args[i] = slice(c.values, lo, hi)
		}
		limit := ""
		if r.planOnce {
			limit, args = " LIMIT ?", append(args, hi-lo)
		}
		return head + "SELECT * FROM unnest(" + strings.Join(arrays, ", ") + ")" + limit + ")", args
	}
	args := make([]any, 0, (hi-lo)*len(r.cols))
	for row := lo; row < hi; row++ {
		for _, c := range r.cols {
			args = append(args, value(c.values, row))
		}
	}
	return head + "VALUES " + valueRows(hi-lo, len(r.cols)) + ")", args
}

func slice(values any, lo, hi int) any {
	switch v := values.(type) {
	case []int64:
		return v[lo:hi]
	case []string:
		return v[lo:hi]
	case []bool:
		return v[lo:hi]
	case [][]byte:
		return v[lo:hi]
	case []time.Time:
		return v[lo:hi]
	}
	panic(fmt.Sprintf("store: row set column of %T", values))
}

func value(values any, i int) any {
	switch v := values.(type) {
	case []int64:
		return v[i]
	case []string:
		return v[i]
	case []bool:
		return v[i]
	case [][]byte:
		return v[i]
	case []time.Time:
		return v[i]
	}
	panic(fmt.Sprintf("store: row set column of %T", values))
}

// typed is a placeholder for a value that a statement selects rather than
// compares or assigns: PostgreSQL cannot infer its type there, so it is
// cast; SQLite, whose casts would change values (a time cast to a numeric
// affinity), takes it as it is.
func (tx *Tx) typed(sqlType string) string {
	if tx.db.Dialect == Postgres {
		return "CAST(? AS " + sqlType + ")"
	}
	return "?"
}

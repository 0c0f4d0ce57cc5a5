package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// oneConn opens a fresh SQLite database through the store and returns one
// of its connections.
func oneConn(t *testing.T) *sql.Conn {
	conn, err := store.Connect(context.Background(), filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c, err := conn.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	mustExec(t, c, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
	return c
}

func mustExec(t *testing.T, c *sql.Conn, query string, args ...any) {
	t.Helper()
	if _, err := c.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
}

func statementCache(t *testing.T, c *sql.Conn) (prepared, cached int) {
	t.Helper()
	c.Raw(func(dc any) error {
		prepared, cached = store.StatementCache(dc)
		return nil
	})
	return prepared, cached
}

func TestStatementCacheReusesStatements(t *testing.T) {
	c := oneConn(t)
	for i := range 10 {
		mustExec(t, c, `INSERT INTO t (id, name) VALUES (?, ?)`, i, fmt.Sprint("n", i))
	}
	var name string
	for i := range 10 {
		if err := c.QueryRowContext(context.Background(), `SELECT name FROM t WHERE id = ?`, i).Scan(&name); err != nil || name != fmt.Sprint("n", i) {
			t.Fatalf("row %d: %q, %v", i, name, err)
		}
	}
	if prepared, cached := statementCache(t, c); prepared != 2 || cached != 2 {
		t.Fatalf("prepared %d, cached %d; want each statement prepared once", prepared, cached)
	}
}

// A statement run again while its rows are still open gets one of its own.
func TestStatementCacheNestedUse(t *testing.T) {
	c := oneConn(t)
	for i := range 3 {
		mustExec(t, c, `INSERT INTO t (id, name) VALUES (?, ?)`, i, fmt.Sprint("n", i))
	}
	const q = `SELECT id, name FROM t WHERE id >= ? ORDER BY id`
	rows, err := c.QueryContext(context.Background(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		var inner string
		if err := c.QueryRowContext(context.Background(), q, id).Scan(new(int), &inner); err != nil || inner != name {
			t.Fatalf("inner query at %d: %q, %v", id, inner, err)
		}
		seen++
	}
	if err := rows.Close(); err != nil || seen != 3 {
		t.Fatalf("outer rows: %d seen, %v", seen, err)
	}
}

// The cache holds at most its bound; statements beyond it are closed.
func TestStatementCacheIsBounded(t *testing.T) {
	c := oneConn(t)
	for i := range 300 {
		var n int
		if err := c.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT COUNT(*) + %d FROM t WHERE id > ?`, i), 0).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if prepared, cached := statementCache(t, c); prepared != 300 || cached != 256 {
		t.Fatalf("prepared %d, cached %d; want 300 and 256", prepared, cached)
	}
}

// A cached statement still answers correctly after the schema changed.
func TestStatementCacheAfterSchemaChange(t *testing.T) {
	c := oneConn(t)
	mustExec(t, c, `INSERT INTO t (id, name) VALUES (?, ?)`, 1, "one")
	var got string
	q := `SELECT * FROM t WHERE id = ?`
	if err := c.QueryRowContext(context.Background(), q, 1).Scan(new(int), &got); err != nil {
		t.Fatal(err)
	}
	mustExec(t, c, `ALTER TABLE t ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'`)
	var extra string
	if err := c.QueryRowContext(context.Background(), q, 1).Scan(new(int), &got, &extra); err != nil || extra != "x" {
		t.Fatalf("after ALTER TABLE: %q, %v", extra, err)
	}
}

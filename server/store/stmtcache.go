package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"

	"modernc.org/sqlite"
)

// sqliteDriverName is modernc's SQLite driver with a prepared-statement
// cache on each connection. Without it every statement is parsed and
// planned again on each execution, which profiles showed to be 40% of the
// CPU of webhook processing.
const sqliteDriverName = "sqlite-stmtcache"

// stmtCacheSize bounds the statements kept per connection; the least
// recently used idle one is closed to make room. Statements whose text
// varies (multi-row inserts, IN lists) pass through the cache and out.
const stmtCacheSize = 256

func init() {
	base := &sqlite.Driver{}
	registerSQLiteFunctions(base)
	sql.Register(sqliteDriverName, &cachingDriver{base: base})
}

// cachingDriver opens modernc SQLite connections wrapped in cachingConn.
type cachingDriver struct{ base driver.Driver }

func (d *cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	return newCachingConn(c), nil
}

// sqliteConn is what modernc's connection implements and cachingConn
// forwards.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn keeps the statements run with arguments prepared, keyed by
// their text. database/sql uses a connection from one goroutine at a time,
// so the cache needs no lock. A cached statement whose rows are still open
// is busy: running the same text again meanwhile prepares a statement of
// its own, closed after use, as the driver would. Statements without
// arguments (scripts, migrations, BEGIN and COMMIT) are not cached.
type cachingConn struct {
	sqliteConn
	stmts map[string]*list.Element // of *cachedStmt
	lru   *list.List               // most recently used first
	// prepared counts the statements this connection prepared.
	prepared int
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool
}

func newCachingConn(c driver.Conn) *cachingConn {
	return &cachingConn{sqliteConn: c.(sqliteConn), stmts: map[string]*list.Element{}, lru: list.New()}
}

// ExecContext runs query on its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	cs, err := c.acquire(ctx, query)
	if err != nil || cs == nil {
		if err == nil {
			return c.sqliteConn.ExecContext(ctx, query, args)
		}
		return nil, err
	}
	defer c.release(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query on its cached statement; the statement is busy
// until the rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	cs, err := c.acquire(ctx, query)
	if err != nil || cs == nil {
		if err == nil {
			return c.sqliteConn.QueryContext(ctx, query, args)
		}
		return nil, err
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, conn: c, cs: cs}, nil
}

// acquire returns query's statement, prepared now unless cached, marked
// busy; nil when the cached one is busy.
func (c *cachingConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		cs.busy = true
		return cs, nil
	}
	stmt, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.prepared++
	cs := &cachedStmt{query: query, stmt: stmt, busy: true}
	c.stmts[query] = c.lru.PushFront(cs)
	c.evict()
	return cs, nil
}

func (c *cachingConn) release(cs *cachedStmt) { cs.busy = false }

// evict closes the least recently used idle statements beyond the bound.
func (c *cachingConn) evict() {
	for e := c.lru.Back(); e != nil && c.lru.Len() > stmtCacheSize; {
		prev := e.Prev()
		if cs := e.Value.(*cachedStmt); !cs.busy {
			cs.stmt.Close()
			c.lru.Remove(e)
			delete(c.stmts, cs.query)
		}
		e = prev
	}
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.stmts, c.lru = nil, list.New()
	return c.sqliteConn.Close()
}

// cachedRows releases its statement when closed.
type cachedRows struct {
	driver.Rows
	conn *cachingConn
	cs   *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.conn.release(r.cs)
		r.cs = nil
	}
	return err
}

// The column type methods of modernc's rows, forwarded.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

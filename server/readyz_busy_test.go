package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReadyzWhileEveryConnectionIsBusy: every connection of a replica's
// pool is taken (requests waiting on a long lock or slow queries, as a
// migration or a manual transaction can make them) while the database
// itself answers. /readyz says the database is ok, as it is, and asks it on
// a connection of its own rather than waiting behind them, so that every
// replica, held up by the same lock, is not taken out of rotation at once as
// if the database were down; the warning it logs names the pool, how many of
// its connections are in use, and that the database answered.
func TestReadyzWhileEveryConnectionIsBusy(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m, logs := startServerWithLogs(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			if code, _ := readyzBody(t, m); code != http.StatusOK {
				t.Fatalf("/readyz before the pool was taken = %d, want 200", code)
			}
			holdEveryConnection(t, m.conn.DB.DB)
			start := time.Now()
			code, body := readyzBody(t, m)
			if code != http.StatusOK || !strings.Contains(body, `"database":"ok"`) {
				t.Fatalf("/readyz with every pooled connection busy and the database up = %d %s after %s, want 200 with the database ok",
					code, body, time.Since(start).Round(time.Millisecond))
			}
			line := logLineWith(logs.String(), "database connection")
			max := m.conn.DB.Stats().MaxOpenConnections
			for _, want := range []string{"busy", "in_use=", "database answered"} {
				if !strings.Contains(line, want) {
					t.Fatalf("no warning naming the busy pool (%q, %d connections) after /readyz:\n%s", want, max, logs.String())
				}
			}
		})
	}
}

// holdEveryConnection takes every connection the pool may open, until the
// test ends.
func holdEveryConnection(t *testing.T, pool *sql.DB) {
	t.Helper()
	for range pool.Stats().MaxOpenConnections {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		conn, err := pool.Conn(ctx)
		cancel()
		noErr(t, err)
		t.Cleanup(func() { conn.Close() })
	}
}

func readyzBody(t *testing.T, m *Main) (int, string) {
	t.Helper()
	resp, err := loadClient.Get(m.URL() + "/readyz")
	noErr(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDatabaseUpWhileEveryConnectionIsBusy: with every connection of the
// replica's pool taken while the database answers, stockbell_database_up
// agrees with /readyz and reads 1, so that StockbellDatabaseDown does not
// page for a long lock; the database is asked on a connection of its own,
// as /readyz asks it. The queue's backlog, read through the pool, waits for
// a connection and is left out of that scrape rather than reported wrong.
func TestDatabaseUpWhileEveryConnectionIsBusy(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			holdEveryConnection(t, m.conn.DB.DB)
			start := time.Now()
			series := scrape(t, m)
			if up, ok := series["stockbell_database_up"]; !ok || up != 1 {
				t.Fatalf("stockbell_database_up = %v (present %v) with every pooled connection busy and the database up, after %s; want 1",
					up, ok, time.Since(start).Round(time.Millisecond))
			}
			for name := range series {
				if strings.HasPrefix(name, "stockbell_job") {
					t.Fatalf("%s served from a queue reading that could not get a connection", name)
				}
			}
		})
	}
}

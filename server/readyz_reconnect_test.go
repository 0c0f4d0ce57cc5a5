package main

import (
	"database/sql"
	"net/http"
	"testing"

	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReadyzAfterConnectionsAreCut: PostgreSQL ends the server's
// connections (a failover, pg_terminate_backend, a pooler's restart) while
// it stays up. The first /readyz after that answers 200: a connection found
// broken is not a database that is down.
func TestReadyzAfterConnectionsAreCut(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
	if code := readyz(m); code != http.StatusOK {
		t.Fatalf("/readyz before the cut = %d, want 200", code)
	}
	if cut := terminateConnections(t, dbURL); cut == 0 {
		t.Fatal("the server held no connection to cut")
	}
	if code := readyz(m); code != http.StatusOK {
		t.Fatalf("first /readyz after the server's connections were cut = %d, want 200 (the database is up)", code)
	}
}

// terminateConnections ends every other backend connected to dbURL's
// database and returns how many it ended.
func terminateConnections(t *testing.T, dbURL string) int {
	t.Helper()
	admin, err := sql.Open("pgx", dbURL)
	noErr(t, err)
	defer admin.Close()
	var n int
	noErr(t, admin.QueryRow(`SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) AS ended`).Scan(&n))
	return n
}

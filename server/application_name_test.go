package main

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestServerNamesItsPostgresConnections: pg_stat_activity (and the
// migration lock's "held by") shows the server's connections, the pool's
// and the job listener's, as "stockbell" when STOCKBELL_DATABASE_URL sets
// no application_name, and by the operator's name when it sets one.
func TestServerNamesItsPostgresConnections(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	for given, want := range map[string]string{"": "stockbell", "stockbell-eu-2": "stockbell-eu-2"} {
		dbURL := storetest.FreshPostgresURL(t)
		if given != "" {
			dbURL = storetest.NamedURL(t, dbURL, given)
		}
		m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
		if code := readyz(m); code != 200 {
			t.Fatalf("/readyz = %d", code)
		}
		names := connectionNames(t, dbURL)
		if len(names) < 2 || slices.ContainsFunc(names, func(name string) bool { return name != want }) {
			t.Errorf("with application_name %q in the URL the server's connections are named %q, want each %q", given, names, want)
		}
	}
}

// connectionNames are the application names of every other connection to
// dbURL's database.
func connectionNames(t *testing.T, dbURL string) []string {
	t.Helper()
	observer, err := sql.Open("pgx", storetest.NamedURL(t, dbURL, "observer"))
	noErr(t, err)
	defer observer.Close()
	rows, err := observer.Query(`SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	noErr(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		noErr(t, rows.Scan(&name))
		names = append(names, name)
	}
	noErr(t, rows.Err())
	return names
}

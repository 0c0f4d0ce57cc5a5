package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// TestStaleDatabasesAreFoundByTheTimeInTheirName: a template or a test
// database is left behind when the time in its name is over an hour ago;
// a name without one (a test database named before the time was in it,
// whose random part may be all digits) is never taken for stale.
func TestStaleDatabasesAreFoundByTheTimeInTheirName(t *testing.T) {
	hourAgo := time.Now().Add(-staleDatabaseAge)
	cases := []struct {
		name  string
		stale bool
	}{
		{"stockbell_template_1700000000_ab12cd34", true},
		{"stockbell_test_1700000000_ab12cd34ef56", true},
		{newDatabaseName(), false},
		{"stockbell_test_000000001234", false},
		{"stockbell_test_ab12cd34ef56", false},
	}
	for _, c := range cases {
		if stale := databaseCreated(c.name).Before(hourAgo); stale != c.stale {
			t.Errorf("%s: stale %v, want %v", c.name, stale, c.stale)
		}
	}
}

// TestStaleDatabasesAreAllDropped: the databases ended processes left
// behind are all dropped, more of them than are dropped at a time.
func TestStaleDatabasesAreAllDropped(t *testing.T) {
	base := postgresBase(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	created := time.Now().Add(-2 * staleDatabaseAge).Unix()
	var left []string
	for range dropWorkers + 2 {
		name := fmt.Sprintf("%s%d_%s", testDatabasePrefix, created, randomHex(6))
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		left = append(left, name)
	}
	dropStaleDatabases(context.Background(), admin, base)
	var still int
	if err := admin.QueryRow(`SELECT COUNT(*) FROM pg_database WHERE datname = ANY($1)`, left).Scan(&still); err != nil {
		t.Fatal(err)
	}
	if still != 0 {
		t.Fatalf("%d of the %d stale databases are still there", still, len(left))
	}
}

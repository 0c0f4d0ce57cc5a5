package storetest

import (
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

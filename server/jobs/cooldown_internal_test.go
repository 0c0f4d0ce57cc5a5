package jobs

import (
	"testing"
	"time"
)

// TestDecisionFetchCooldown: the restock decisions wait the longer
// cooldown only where every replica's queue is woken by each insert
// notification (PostgreSQL, listening); on SQLite, and on PostgreSQL
// without a listener, they keep the queue's own.
func TestDecisionFetchCooldown(t *testing.T) {
	for _, c := range []struct {
		db   Database
		want time.Duration
	}{
		{Database{Postgres: true, URL: "postgres://db/x"}, DecisionFetchCooldown},
		{Database{Postgres: true}, FetchCooldown},
		{Database{}, FetchCooldown},
	} {
		if got := decisionFetchCooldown(c.db); got != c.want {
			t.Errorf("decisionFetchCooldown(%+v) = %v, want %v", c.db, got, c.want)
		}
	}
	if DecisionFetchCooldown <= FetchCooldown {
		t.Errorf("DecisionFetchCooldown %v is not longer than FetchCooldown %v", DecisionFetchCooldown, FetchCooldown)
	}
}

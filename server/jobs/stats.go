package jobs

import (
	"context"
	"fmt"
	"time"
)

// KindStats is the queue's backlog of one job kind: how many jobs wait in
// each state, and how long the oldest available one has been due.
type KindStats struct {
	Kind string
	// Available jobs are due and wait for a worker; Running ones are being
	// worked (or were, by a process that died, until they are rescued);
	// Retryable ones failed and wait for their next attempt; Scheduled ones
	// are not due yet.
	Available, Running, Retryable, Scheduled int
	// OldestAvailable is how long the longest-waiting available job has
	// been due, by the database's clock (0 when none is available).
	OldestAvailable time.Duration
}

// statsQuery counts unfinished jobs by kind and state, and measures how
// long the oldest of each has been due, on the database's own clock. It
// reads River's fetch index (state first), so its cost grows with the
// backlog, not with the jobs kept after they finished.
var statsQuery = map[bool]string{
	false: `SELECT kind, state, COUNT(*), COALESCE((julianday('now') - julianday(MIN(scheduled_at))) * 86400.0, 0)
		FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled') GROUP BY kind, state`,
	true: `SELECT kind, state::text, COUNT(*), COALESCE(EXTRACT(EPOCH FROM now() - MIN(scheduled_at))::float8, 0)
		FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled') GROUP BY kind, state`,
}

// Stats reads the queue's backlog by kind, sorted by nothing in
// particular; kinds with no unfinished job are absent.
func (q *Queue) Stats(ctx context.Context) ([]KindStats, error) {
	rows, err := q.db.DB.QueryContext(ctx, statsQuery[q.db.Postgres])
	if err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	byKind := map[string]*KindStats{}
	var out []*KindStats
	for rows.Next() {
		var kind, state string
		var count int
		var age float64
		if err := rows.Scan(&kind, &state, &count, &age); err != nil {
			return nil, fmt.Errorf("jobs: stats: %w", err)
		}
		s := byKind[kind]
		if s == nil {
			s = &KindStats{Kind: kind}
			byKind[kind] = s
			out = append(out, s)
		}
		s.add(state, count, age)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	stats := make([]KindStats, len(out))
	for i, s := range out {
		stats[i] = *s
	}
	return stats, nil
}

func (s *KindStats) add(state string, count int, ageSeconds float64) {
	switch state {
	case "available":
		s.Available = count
		s.OldestAvailable = max(time.Duration(ageSeconds*float64(time.Second)), 0)
	case "running":
		s.Running = count
	case "retryable":
		s.Retryable = count
	case "scheduled":
		s.Scheduled = count
	}
}

package jobs_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

type otherJob struct{}

func (otherJob) Kind() string { return "other_probe" }

// TestStatsCountTheBacklogByKind: jobs due for a while are available and
// age by the time they have been due; jobs due later are scheduled;
// finished jobs are not counted.
func TestStatsCountTheBacklogByKind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db)})
		if err != nil {
			t.Fatal(err)
		}
		insert := func(args stockbell.JobArgs, opts *stockbell.JobOptions) {
			t.Helper()
			if err := queue.Insert(ctx, args, opts); err != nil {
				t.Fatal(err)
			}
		}
		later := &stockbell.JobOptions{ScheduledAt: time.Now().Add(time.Hour)}
		insert(probeJob{Name: "a"}, nil)
		insert(probeJob{Name: "b"}, nil)
		insert(probeJob{Name: "c"}, later)
		insert(otherJob{}, later)
		insert(otherJob{}, nil)
		// Job a has been due for 90 s; the available other_probe finished.
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.DB.ExecContext(ctx, db.DB.Rebind(query), args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`UPDATE river_job SET scheduled_at = ? WHERE id = (SELECT MIN(id) FROM river_job WHERE kind = 'probe')`, time.Now().UTC().Add(-90*time.Second))
		exec(`UPDATE river_job SET state = 'completed', finalized_at = scheduled_at WHERE kind = 'other_probe' AND state = 'available'`)

		stats, err := queue.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string]jobs.KindStats{}
		for _, s := range stats {
			byKind[s.Kind] = s
		}
		probe := byKind["probe"]
		if probe.Available != 2 || probe.Scheduled != 1 || probe.Running != 0 || probe.Retryable != 0 {
			t.Errorf("probe: %+v, want 2 available and 1 scheduled", probe)
		}
		if probe.OldestAvailable < 89*time.Second || probe.OldestAvailable > 2*time.Minute {
			t.Errorf("oldest available probe due for %s, want about 90 s", probe.OldestAvailable)
		}
		if other := byKind["other_probe"]; other.Scheduled != 1 || other.Available != 0 || other.OldestAvailable != 0 {
			t.Errorf("other_probe: %+v, want only the scheduled one (the completed one is not counted)", other)
		}
	})
}

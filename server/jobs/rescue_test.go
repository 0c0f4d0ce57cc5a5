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

// slowJob is a kind registered with a timeout longer than the rescue delay.
type slowJob struct{}

func (slowJob) Kind() string { return "slow_probe" }

// leaveRunning inserts a job and makes it look as a process that died
// while running it leaves it: running, attempted `ago`.
func leaveRunning(t *testing.T, db *store.DB, queue *jobs.Queue, args stockbell.JobArgs, ago time.Duration) {
	t.Helper()
	ctx := context.Background()
	if err := queue.Insert(ctx, args, nil); err != nil {
		t.Fatal(err)
	}
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = ? WHERE kind = ?`),
		time.Now().UTC().Add(-ago), args.Kind())
	if err != nil {
		t.Fatal(err)
	}
}

// TestDeadProcessJobsAreRescued: with the queue's settings (the only ones
// there are), a quick job a dead process left running for longer than
// RescueStuckJobsAfter runs again within RecoveryBound, while a job whose
// kind has a longer timeout of its own is left alone until that timeout.
func TestDeadProcessJobsAreRescued(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ran := make(chan string, 4)
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job probeJob) error { ran <- job.Name; return nil }, 0)
		jobs.Handle(workers, func(ctx context.Context, job slowJob) error { ran <- "slow"; return nil }, time.Hour)
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		stuck := jobs.RescueStuckJobsAfter + time.Second
		leaveRunning(t, db, queue, probeJob{Name: "orphan"}, stuck)
		leaveRunning(t, db, queue, slowJob{}, stuck)
		start := time.Now()
		if err := queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer queue.Stop(context.Background())
		select {
		case name := <-ran:
			if name != "orphan" {
				t.Fatalf("%s ran first; the slow kind's job is within its own timeout", name)
			}
			t.Logf("rescued and run %s after the queue started", time.Since(start).Round(time.Millisecond))
		case <-time.After(jobs.RecoveryBound):
			t.Fatalf("the orphaned job did not run within %s", jobs.RecoveryBound)
		}
		var state string
		if err := db.DB.GetContext(ctx, &state, `SELECT state FROM river_job WHERE kind = 'slow_probe'`); err != nil {
			t.Fatal(err)
		}
		if state != "running" {
			t.Fatalf("the slow kind's job is %s, want still running (its own timeout has not passed)", state)
		}
	})
}

// TestRetryLaterWaitsWithoutCountingAnAttempt: a handler that answers
// *stockbell.RetryLaterError runs again at the time it named, and the
// postponement is not a failed attempt: a job postponed on its last attempt
// (River snoozes it, taking the attempt back) runs again on that attempt,
// as the send jobs' last attempt relies on. The handler is told how often
// its job was put off.
func TestRetryLaterWaitsWithoutCountingAnAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ran := make(chan time.Time, 2)
		var until time.Time
		var attempts, postponed []int
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job probeJob) error {
			now := time.Now()
			attempts = append(attempts, stockbell.JobAttempt(ctx))
			postponed = append(postponed, stockbell.JobPostponements(ctx))
			if until.IsZero() {
				until = now.Add(time.Second)
				ran <- now
				return &stockbell.RetryLaterError{At: until, Reason: "held elsewhere"}
			}
			ran <- now
			return nil
		}, 0)
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if err := queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer queue.Stop(context.Background())
		if err := queue.Insert(ctx, probeJob{Name: "later"}, &stockbell.JobOptions{MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
		<-ran
		select {
		case at := <-ran:
			if at.Before(until) {
				t.Fatalf("ran again at %s, before the time asked for (%s)", at, until)
			}
		case <-time.After(time.Second + jobs.ScheduleInterval + 5*time.Second):
			t.Fatal("the postponed job did not run again")
		}
		var attempt int
		var errors string
		waitCompleted(t, db)
		if err := db.DB.QueryRowContext(ctx, `SELECT attempt, COALESCE(CAST(errors AS TEXT), '') FROM river_job WHERE kind = 'probe'`).Scan(&attempt, &errors); err != nil {
			t.Fatal(err)
		}
		if attempt != 1 || (errors != "" && errors != "[]" && errors != "{}") {
			t.Fatalf("attempt %d, errors %q: a postponement must not count as a failed attempt", attempt, errors)
		}
		if len(attempts) != 2 || attempts[0] != 1 || attempts[1] != 1 {
			t.Fatalf("the handler saw attempts %v, want 1 (of 1) both times", attempts)
		}
		if len(postponed) != 2 || postponed[0] != 0 || postponed[1] != 1 {
			t.Fatalf("the handler saw the job put off %v times, want 0 then 1", postponed)
		}
	})
}

func waitCompleted(t *testing.T, db *store.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		if err := db.DB.GetContext(context.Background(), &state, `SELECT state FROM river_job WHERE kind = 'probe'`); err != nil {
			t.Fatal(err)
		}
		if state == "completed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s, want completed", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

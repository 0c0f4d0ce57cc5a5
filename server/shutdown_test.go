package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
)

// TestJobsRunUntilCloseAfterTheSignal cancels the context the server was
// started with, as SIGINT and SIGTERM do to serve's, and checks that the
// job workers keep working until Close: the signal starts the graceful
// shutdown (HTTP first, then the workers, each with the shutdown timeout),
// it does not cancel running jobs on the spot.
func TestJobsRunUntilCloseAfterTheSignal(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { jobsRunAfterTheSignal(t, dbURL) })
	}
}

func jobsRunAfterTheSignal(t *testing.T, dbURL string) {
	env := &cliEnv{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard,
		getenv: testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})}
	cfg, err := loadConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	signalled, signal := context.WithCancel(context.Background())
	m := NewMain(cfg, newLogger(cfg, io.Discard))
	if err := m.Run(signalled); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	signal()

	ctx := context.Background()
	inserted, err := m.Queue.Client.Insert(ctx, stockbell.ExpireDataRequestsJob{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		job, err := m.Queue.Client.JobGet(ctx, inserted.Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == rivertype.JobStateCompleted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a job queued after the signal is %s, not run: the workers stopped before Close", job.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDecisionQueue checks that restock decisions are queued in
// DecisionQueue, send jobs in SendQueue, other kinds in the default queue,
// and that a decision queued in the default queue (before DecisionQueue
// existed) still runs, as does a send job there.
func TestDecisionQueue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ran := make(chan int64, 10)
		workers := jobs.NewWorkers()
		jobs.Handle(workers, func(ctx context.Context, job stockbell.VariantStockChangedJob) error {
			ran <- job.VariantID
			return nil
		}, 0)
		jobs.Handle(workers, func(ctx context.Context, job probeJob) error { return nil }, 0)
		sent := make(chan int64, 10)
		jobs.Handle(workers, func(ctx context.Context, job stockbell.SendMessageJob) error {
			sent <- job.MessageID
			return nil
		}, 0)
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		must(t, queue.InsertTx(ctx, tx, stockbell.VariantStockChangedJob{ShopID: 1, VariantID: 1}, nil))
		must(t, queue.InsertManyTx(ctx, tx, []stockbell.JobArgs{probeJob{Name: "other"}, stockbell.SendMessageJob{MessageID: 7}}, nil))
		_, err = queue.Client.InsertTx(ctx, tx, stockbell.SendMessageJob{MessageID: 8}, &river.InsertOpts{Queue: river.QueueDefault})
		must(t, err)
		_, err = queue.Client.InsertTx(ctx, tx, stockbell.VariantStockChangedJob{ShopID: 1, VariantID: 2}, &river.InsertOpts{Queue: river.QueueDefault})
		must(t, err)
		must(t, tx.Commit())

		queues := map[string]string{}
		rows, err := db.DB.QueryContext(ctx, `SELECT kind, queue FROM river_job WHERE (kind <> 'variant_stock_changed' AND kind <> 'send_message')
			OR id = (SELECT MIN(id) FROM river_job) OR id = (SELECT MIN(id) FROM river_job WHERE kind = 'send_message')`)
		must(t, err)
		for rows.Next() {
			var kind, q string
			must(t, rows.Scan(&kind, &q))
			queues[kind] = q
		}
		must(t, rows.Close())
		if queues["variant_stock_changed"] != jobs.DecisionQueue || queues["send_message"] != jobs.SendQueue || queues["probe"] != river.QueueDefault {
			t.Fatalf("queues by kind = %v, want the decision in %s, the send in %s and the probe in %s", queues, jobs.DecisionQueue,
				jobs.SendQueue, river.QueueDefault)
		}

		must(t, queue.Start(ctx))
		defer queue.Stop(context.Background())
		awaitRuns(ctx, t, ran, "decisions run", "variants 1 (decision queue) and 2 (default queue)")
		awaitRuns(ctx, t, sent, "sends run", "messages 7 (send queue) and 8 (default queue)")
	})
}

// TestSendJobsKnowTheirLastAttempt: send jobs are queued with
// stockbell.SendMaxAttempts, the number their handler takes for its last
// attempt, with or without options; confirmation send jobs with
// stockbell.ConfirmationMaxAttempts, the attempt on which their handler
// records a request it could not send.
func TestSendJobsKnowTheirLastAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db)})
		must(t, err)
		tx, err := db.DB.BeginTx(ctx, nil)
		must(t, err)
		later := &stockbell.JobOptions{ScheduledAt: time.Now().Add(time.Hour)}
		must(t, queue.InsertTx(ctx, tx, stockbell.SendMessageJob{MessageID: 1}, nil))
		must(t, queue.InsertTx(ctx, tx, stockbell.SendMessageJob{MessageID: 2}, later))
		must(t, queue.InsertManyTx(ctx, tx, []stockbell.JobArgs{stockbell.SendMessageJob{MessageID: 3}}, later))
		must(t, queue.InsertTx(ctx, tx, stockbell.SendConfirmationJob{ShopID: 1, ConfirmationID: 1}, nil))
		must(t, tx.Commit())
		var maxAttempts []int
		must(t, db.DB.SelectContext(ctx, &maxAttempts, `SELECT max_attempts FROM river_job WHERE kind = 'send_message' ORDER BY id`))
		if len(maxAttempts) != 3 || slices.ContainsFunc(maxAttempts, func(n int) bool { return n != stockbell.SendMaxAttempts }) {
			t.Fatalf("send jobs queued with max attempts %v, want %d each", maxAttempts, stockbell.SendMaxAttempts)
		}
		var confirmationAttempts int
		must(t, db.DB.GetContext(ctx, &confirmationAttempts, `SELECT max_attempts FROM river_job WHERE kind = 'send_confirmation'`))
		if confirmationAttempts != stockbell.ConfirmationMaxAttempts {
			t.Fatalf("confirmation job queued with max attempts %d, want %d", confirmationAttempts, stockbell.ConfirmationMaxAttempts)
		}
	})
}

// awaitRuns waits until two different ids came through ran.
func awaitRuns(ctx context.Context, t *testing.T, ran <-chan int64, what, want string) {
	t.Helper()
	seen := map[int64]bool{}
	for len(seen) < 2 {
		select {
		case id := <-ran:
			seen[id] = true
		case <-ctx.Done():
			t.Fatalf("%s: %v, want %s", what, seen, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

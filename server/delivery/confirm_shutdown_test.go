package delivery_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// confirmationQueue is a real River queue over db working send_confirmation
// jobs through the real SMTP sender to srv, as server/wire.go registers
// them; the store inserts its jobs through it.
func confirmationQueue(t *testing.T, db *store.DB, srv *smtptest.Server) *jobs.Queue {
	t.Helper()
	confirmations := confirmationsOf(t, db, newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)))
	workers := jobs.NewWorkers()
	jobs.Handle(workers, confirmations.HandleSendConfirmation, 0)
	queue, err := jobs.New(ctx, jobs.Config{Database: jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres}, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	db.Queue = queue
	return queue
}

// confirmationJob is the send_confirmation job as the queue keeps it.
type confirmationJob struct {
	State   string `db:"state"`
	Attempt int    `db:"attempt"`
	Errors  string `db:"errors"`
}

func readConfirmationJob(t *testing.T, db *store.DB) confirmationJob {
	t.Helper()
	errorsText := "COALESCE(json(errors), '')"
	if db.Dialect == store.Postgres {
		errorsText = "COALESCE(array_to_json(errors)::text, '')"
	}
	var job confirmationJob
	if err := db.DB.Get(&job, `SELECT state, attempt, `+errorsText+` AS errors FROM river_job WHERE kind = 'send_confirmation'`); err != nil {
		t.Fatal(err)
	}
	return job
}

// waitUntil polls cond (at most 30 s): it waits for the queue's workers,
// never for a business rule.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
	}
}

// TestShutdownDuringAConfirmationSendIsNoFailure: the server stops while
// a confirmation email is being sent (the provider took the message and
// has not answered when the queue cancels the running job), on the job's
// first attempt and on its last (stockbell.ConfirmationMaxAttempts). The
// send did not fail: nothing is recorded on the confirmation, the job
// keeps its attempt and records no error, and once a queue starts again
// the job sends the request and records it sent.
func TestShutdownDuringAConfirmationSendIsNoFailure(t *testing.T) {
	for name, attemptsBefore := range map[string]int{"first attempt": 0, "last attempt": stockbell.ConfirmationMaxAttempts - 1} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				f := newShopFixture(t, db)
				on := true
				if _, err := db.UpdateSettings(ctx, f.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on}); err != nil {
					t.Fatal(err)
				}
				hanging := smtptest.Start(t, smtptest.Options{})
				hanging.StallAfterData()
				queue := confirmationQueue(t, db, hanging)
				sub := f.subscribe(t, "A", "ann@example.com", "")
				if _, err := db.DB.Exec(db.DB.Rebind(`UPDATE river_job SET attempt = ? WHERE kind = 'send_confirmation'`), attemptsBefore); err != nil {
					t.Fatal(err)
				}
				if err := queue.Start(ctx); err != nil {
					t.Fatal(err)
				}
				waitUntil(t, "the confirmation email handed to the provider", func() bool { return hanging.Count() == 1 })
				stopNow, cancel := context.WithCancel(ctx)
				cancel() // no grace: the running job is cancelled, as at the end of the shutdown timeout
				queue.Stop(stopNow)

				job := readConfirmationJob(t, db)
				if job.State != "available" || job.Attempt != attemptsBefore || (job.Errors != "" && job.Errors != "[]") {
					t.Fatalf("the job after the shutdown: %+v, want available again at attempt %d with no error", job, attemptsBefore)
				}
				c := confirmationAt(t, db, f.shop.ID, confirmationID(t, db, sub.ID))
				if c.FailedAt != nil || c.Failure != "" || c.SentAt != nil {
					t.Fatalf("the confirmation after the shutdown: %+v, want nothing recorded", c)
				}

				answering := smtptest.Start(t, smtptest.Options{})
				restarted := confirmationQueue(t, db, answering)
				if err := restarted.Start(ctx); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { restarted.Stop(context.Background()) })
				waitUntil(t, "the job completed after the restart", func() bool { return readConfirmationJob(t, db).State == "completed" })
				if c := confirmationAt(t, db, f.shop.ID, c.ID); c.SentAt == nil || c.FailedAt != nil || answering.Count() != 1 {
					t.Fatalf("after the restart: %+v, %d emails; want the request sent once", c, answering.Count())
				}
			})
		})
	}
}

func confirmationID(t *testing.T, db *store.DB, subID int64) int64 {
	t.Helper()
	var id int64
	if err := db.DB.Get(&id, db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), subID); err != nil {
		t.Fatal(err)
	}
	return id
}

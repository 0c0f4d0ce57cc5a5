package restock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// sendJobs returns the queued send jobs' message counts, in job order.
func (h *harness) sendJobs() []int {
	var raws []string
	argsText := "json(args)"
	if h.db.Dialect == "postgres" {
		argsText = "args::text"
	}
	h.must(h.db.DB.SelectContext(ctx, &raws, `SELECT `+argsText+` FROM river_job WHERE kind = 'send_message' ORDER BY id`))
	var sizes []int
	for _, raw := range raws {
		var job stockbell.SendMessageJob
		h.must(json.Unmarshal([]byte(raw), &job))
		if job.ShopID != h.shop.ID {
			h.t.Fatalf("send job %s names shop %d, want %d", raw, job.ShopID, h.shop.ID)
		}
		sizes = append(sizes, len(job.IDs()))
	}
	return sizes
}

// TestSendJobsCarryAChunkInHundreds: a chunk's messages are queued in
// send jobs of at most stockbell.SendJobMessages, and each job sends its
// messages oldest subscriber first, each once.
func TestSendJobsCarryAChunkInHundreds(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.engine.ChunkSize = 250
		v := h.variant("v1")
		h.subscribe(v, 250, "c")
		h.stock("v1", "warehouse", 1000)
		h.runUntilSends()
		if got := h.sendJobs(); !slices.Equal(got, []int{100, 100, 50}) {
			t.Fatalf("send jobs of %v messages, want 100, 100, 50", got)
		}
		h.run()
		want := make([]string, 250)
		for i := range want {
			want[i] = fmt.Sprintf("c%03d@example.com", i)
		}
		if got := h.sender.recipients(); !slices.Equal(got, want) {
			t.Fatalf("sent to %d recipients (%v…), want each of the 250 once, oldest first", len(got), got[:min(3, len(got))])
		}
		if n := len(h.messages(stockbell.MessageSent)); n != 250 {
			t.Fatalf("%d messages marked sent, want 250", n)
		}
	})
}

// TestRecipientRefusedForNowGoesLast: a transient failure ends the job's
// run (the queue retries it with backoff); the retry sends the messages not
// yet tried before the one that failed, so one recipient refused for now
// does not hold back the others.
func TestRecipientRefusedForNowGoesLast(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 3, "r")
		h.sender.busy["r001@example.com"] = true
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, _ := h.nextDueJob()
		if err := h.work(job); err == nil {
			t.Fatal("the run with a refused recipient succeeded, want its transient error")
		}
		if got := h.sender.recipients(); !slices.Equal(got, []string{"r000@example.com"}) {
			t.Fatalf("first run sent to %v, want r000 only (the run stops at r001)", got)
		}
		if err := h.work(job); err == nil {
			t.Fatal("the retry succeeded, want the refused recipient's error again")
		}
		if got := h.sender.recipients(); !slices.Equal(got, []string{"r000@example.com", "r002@example.com"}) {
			t.Fatalf("after the retry sent to %v, want r000 and r002", got)
		}
		pending := h.messages(stockbell.MessagePending)
		if len(pending) != 1 || pending[0].Recipient != "r001@example.com" || pending[0].Attempts != 2 || pending[0].Error == "" {
			t.Fatalf("pending %+v, want r001's message with 2 attempts and the error", pending)
		}
		delete(h.sender.busy, "r001@example.com")
		h.must(h.work(job))
		if n := len(h.messages(stockbell.MessageSent)); n != 3 || len(h.sender.recipients()) != 3 {
			t.Fatalf("%d sent in %d provider calls, want 3 and 3", n, len(h.sender.recipients()))
		}
	})
}

// TestSendBudgetPutsTheRestOff: a run past its budget sends no more and
// asks to run again at once; every run sends at least one message. Each
// message put off is counted, again by each run that puts it off.
func TestSendBudgetPutsTheRestOff(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Budget, h.msgr.Metrics = time.Nanosecond, metrics
		v := h.variant("v1")
		h.subscribe(v, 3, "b")
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, _ := h.nextDueJob()
		for run := 1; run <= 3; run++ {
			err := h.work(job)
			if run < 3 {
				var later *stockbell.RetryLaterError
				if !errors.As(err, &later) || later.At.After(h.clock.Now()) {
					t.Fatalf("run %d: %v, want to run again now", run, err)
				}
			} else if err != nil {
				t.Fatalf("last run: %v", err)
			}
			if n := len(h.sender.recipients()); n != run {
				t.Fatalf("after run %d the provider has %d messages, want %d", run, n, run)
			}
		}
		if got, want := metrics.putOffCounts(), map[stockbell.PutOffReason]int{stockbell.PutOffSendBudgetUsed: 2 + 1}; !maps.Equal(got, want) {
			t.Fatalf("put-offs counted %v, want %v", got, want)
		}
	})
}

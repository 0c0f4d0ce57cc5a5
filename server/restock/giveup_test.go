package restock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// startRefusingSMTP runs a real SMTP server that answers every recipient
// with a 451: a provider refusing mail for now.
func startRefusingSMTP(t *testing.T) *smtptest.Server {
	t.Helper()
	s := smtptest.Start(t, smtptest.Options{})
	s.RefuseRecipient(smtptest.AnyRecipient, smtptest.Reply{Code: 451, Enhanced: [3]int{4, 3, 0}, Text: "Mail system busy, try later"})
	return s
}

// smtpSender returns the production SMTP sender pointed at the server.
func smtpSender(t *testing.T, s *smtptest.Server, clock stockbell.Clock) *delivery.SMTPSender {
	t.Helper()
	sender, err := delivery.NewSMTPSender(delivery.SMTPConfig{Host: s.Host(), Port: s.Port(0), Security: delivery.SMTPNone,
		FromAddress: "alerts@stockbell.test", RatePerSecond: 1e6, Burst: 1000, Timeout: 5 * time.Second}, "http://stockbell.test", clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	return sender
}

// sendAt runs a send job as the queue does on the given attempt.
func (h *harness) sendAt(j queuedJob, attempt int) error {
	var args stockbell.SendMessageJob
	h.must(json.Unmarshal([]byte(j.Args), &args))
	return h.msgr.HandleSendMessage(stockbell.WithJobAttempt(ctx, attempt), args)
}

// TestFinalAttemptFailsWhatTheProviderRefusesForNow: while the SMTP server
// refuses for now (451), a send job's run before its last attempt stops at
// the first refusal and leaves its messages pending for the queue's retry;
// its last attempt tries every message and records each failed, with the
// attempts it had and an event, so none is left pending when the queue
// gives the job up.
func TestFinalAttemptFailsWhatTheProviderRefusesForNow(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		server := startRefusingSMTP(t)
		h.msgr.Sender = smtpSender(t, server, h.clock)
		h.msgr.Logger = slog.New(slog.DiscardHandler)
		v := h.variant("v1")
		h.subscribe(v, 3, "o")
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, _ := h.nextDueJob()

		err := h.sendAt(job, stockbell.SendMaxAttempts-1)
		if _, later := errors.AsType[*stockbell.RetryLaterError](err); err == nil || later {
			t.Fatalf("a run before the last attempt answered %v, want the refusal as an error for the queue to retry", err)
		}
		if n, pending := server.RcptCommands(), h.messages(stockbell.MessagePending); n != 1 || len(pending) != 3 {
			t.Fatalf("%d refusals, %d pending, want 1 and 3: the run stops at the first refusal", n, len(pending))
		}

		h.must(h.sendAt(job, stockbell.SendMaxAttempts))
		if pending := h.messages(stockbell.MessagePending); len(pending) != 0 {
			t.Fatalf("%d messages still pending after the last attempt, want none", len(pending))
		}
		failed := h.messages(stockbell.MessageFailed)
		if len(failed) != 3 || server.RcptCommands() != 4 {
			t.Fatalf("%d failed after %d refusals, want 3 after 4", len(failed), server.RcptCommands())
		}
		for _, m := range failed {
			want := "given up after 1 attempt: "
			if m.Attempts == 2 {
				want = "given up after 2 attempts: "
			}
			if !strings.HasPrefix(m.Error, want) || !strings.Contains(m.Error, "451") {
				t.Errorf("message to %s (%d attempts) failed with %q, want %q and the server's 451", m.Recipient, m.Attempts, m.Error, want)
			}
		}
		if events := h.events(v, stockbell.EventMessageFailed); len(events) != 3 {
			t.Fatalf("%d message_failed events, want 3", len(events))
		}
	})
}

// TestFinalAttemptKeepsItsBudgetAndLeases: on its last attempt a send job
// still stops starting sends at its budget and leaves a message another
// attempt holds alone, asking to run again without counting an attempt;
// each run gives up what the provider refused.
func TestFinalAttemptKeepsItsBudgetAndLeases(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		h.msgr.Budget = time.Nanosecond
		v := h.variant("v1")
		h.subscribe(v, 3, "k")
		for i := range 3 {
			h.sender.busy[fmt.Sprintf("k%03d@example.com", i)] = true
		}
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, _ := h.nextDueJob()
		held := h.pendingTo("k001@example.com")
		heldUntil := h.clock.Now().Add(time.Minute)
		outcome, _, err := h.db.BeginAttempt(ctx, h.shop.ID, held.ID, heldUntil)
		if err != nil || outcome != stockbell.AttemptBegun {
			t.Fatalf("leasing %s: %v, %v", held.Recipient, outcome, err)
		}
		for run, wantFailed := range []int{1, 2, 2} {
			err := h.sendAt(job, stockbell.SendMaxAttempts)
			later, ok := errors.AsType[*stockbell.RetryLaterError](err)
			if !ok {
				t.Fatalf("run %d answered %v, want to run again later", run+1, err)
			}
			if failed := h.messages(stockbell.MessageFailed); len(failed) != wantFailed {
				t.Fatalf("after run %d, %d failed, want %d: one given up per run at this budget", run+1, len(failed), wantFailed)
			}
			if wantAt := h.clock.Now(); run == 2 && !later.At.Equal(heldUntil) || run < 2 && !later.At.Equal(wantAt) {
				t.Fatalf("run %d asked to run again at %s", run+1, later.At)
			}
		}
		if pending := h.messages(stockbell.MessagePending); len(pending) != 1 || pending[0].ID != held.ID {
			t.Fatalf("pending %v, want only the message another attempt holds", pending)
		}
		h.clock.Add(2 * time.Minute)
		h.must(h.sendAt(job, stockbell.SendMaxAttempts))
		if n := len(h.messages(stockbell.MessageFailed)); n != 3 || len(h.messages(stockbell.MessagePending)) != 0 {
			t.Fatalf("%d failed, want all 3 once the lease is over", n)
		}
	})
}

// pendingTo returns the pending message to recipient.
func (h *harness) pendingTo(recipient string) *stockbell.Message {
	h.t.Helper()
	for _, m := range h.messages(stockbell.MessagePending) {
		if m.Recipient == recipient {
			return m
		}
	}
	h.t.Fatalf("no pending message to %s", recipient)
	return nil
}

// senderFunc is a Sender made of a function.
type senderFunc func(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error)

func (f senderFunc) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	return f(ctx, msg)
}

// TestFinalAttemptCutShort: on a send job's last attempt, a provider that
// hangs until the job's timeout is given up on, and the job runs again
// (not an attempt) for the messages it did not reach; a job cancelled
// because its process stops fails nothing and runs again the same way.
// The messages not reached are counted put off, the one cut off retried.
func TestFinalAttemptCutShort(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		v := h.variant("v1")
		h.subscribe(v, 3, "c")
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, _ := h.nextDueJob()
		var args stockbell.SendMessageJob
		h.must(json.Unmarshal([]byte(job.Args), &args))
		runCut := func(ctx context.Context, sender senderFunc) error {
			h.msgr.Sender = sender
			return h.msgr.HandleSendMessage(stockbell.WithJobAttempt(ctx, stockbell.SendMaxAttempts), args)
		}

		timed, cancelTimed := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancelTimed()
		err := runCut(timed, func(ctx context.Context, _ stockbell.OutboundMessage) (stockbell.SendResult, error) {
			<-ctx.Done()
			return stockbell.SendResult{}, fmt.Errorf("smtp dial: %w", ctx.Err())
		})
		if _, ok := errors.AsType[*stockbell.RetryLaterError](err); !ok {
			t.Fatalf("a last attempt past its timeout answered %v, want to run again", err)
		}
		if failed, pending := h.messages(stockbell.MessageFailed), h.messages(stockbell.MessagePending); len(failed) != 1 || len(pending) != 2 {
			t.Fatalf("%d failed, %d pending, want the hung message given up and the other 2 pending", len(failed), len(pending))
		}

		stopping, stop := context.WithCancel(ctx)
		err = runCut(stopping, func(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
			stop()
			return stockbell.SendResult{}, fmt.Errorf("smtp: %w", ctx.Err())
		})
		if _, ok := errors.AsType[*stockbell.RetryLaterError](err); !ok {
			t.Fatalf("a cancelled last attempt answered %v, want to run again", err)
		}
		if failed, pending := h.messages(stockbell.MessageFailed), h.messages(stockbell.MessagePending); len(failed) != 1 || len(pending) != 2 {
			t.Fatalf("%d failed, %d pending after a cancelled run, want 1 and 2", len(failed), len(pending))
		}
		if got, want := metrics.putOffCounts(), map[stockbell.PutOffReason]int{stockbell.PutOffJobCancelled: 2 + 1}; !maps.Equal(got, want) || metrics.retried != 1 {
			t.Fatalf("put-offs counted %v and %d retried, want %v and the message cut off", got, metrics.retried, want)
		}

		h.must(runCut(ctx, h.sender.Send))
		if sent := h.messages(stockbell.MessageSent); len(sent) != 2 {
			t.Fatalf("%d sent by the run after, want the 2 left", len(sent))
		}
	})
}

package restock_test

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
)

// TestAttemptThatOutlivedItsLeaseLeavesTheTakeover: a send that stalls
// past its message's lease while the job's retry takes the message over
// and sends it cannot, when it ends at last with a refusal, record the
// message failed under the retry that holds it: the retry's outcome is
// the one recorded.
func TestAttemptThatOutlivedItsLeaseLeavesTheTakeover(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 1, "o")
		h.stock("v1", "warehouse", 5)
		h.runUntilSends()
		job, ok := h.nextDueJob()
		if !ok {
			t.Fatal("no send job")
		}
		retrySending, retryMayAnswer, retryDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		calls := 0
		h.msgr.Sender = senderFunc(func(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
			if calls++; calls == 2 { // the retry, holding the lease now
				close(retrySending)
				<-retryMayAnswer
				return stockbell.SendResult{ProviderID: "retry"}, nil
			}
			h.clock.Add(restock.DefaultSendLease + time.Second) // the first attempt stalls past its lease
			go func() { retryDone <- h.sendAt(job, 2) }()
			<-retrySending
			return stockbell.SendResult{}, stockbell.FieldErrorf("to", "mailbox unavailable")
		})
		h.must(h.sendAt(job, 1))
		if pending := h.messages(stockbell.MessagePending); len(pending) != 1 {
			t.Fatal("the late refusal of the attempt that outlived its lease was recorded under the retry holding it")
		}
		close(retryMayAnswer)
		h.must(<-retryDone)
		if sent := h.messages(stockbell.MessageSent); len(sent) != 1 || len(h.events(v, stockbell.EventMessageFailed)) != 0 {
			t.Fatalf("%d messages sent, failures %v; want the retry's sent outcome alone", len(sent), h.events(v, stockbell.EventMessageFailed))
		}
	})
}

package restock_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock"
)

// processDied is what a sender panics with to play a process killed right
// after the provider accepted a message and before the sent mark committed.
type processDied struct{}

// dyingSender accepts the first message into the provider, then dies.
type dyingSender struct {
	*recordingSender
	died bool
}

func (s *dyingSender) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	res, err := s.recordingSender.Send(ctx, msg)
	if !s.died {
		s.died = true
		panic(processDied{})
	}
	return res, err
}

// countingMetrics records what the messenger reports.
type countingMetrics struct {
	mu                             sync.Mutex
	sent, failed, retried, resumed int
	quietHeld                      int
	skipped                        map[stockbell.SkipReason]int
	putOff                         map[stockbell.PutOffReason]int
}

func (m *countingMetrics) MessageSent(stockbell.Channel, time.Duration) { m.add(&m.sent) }
func (m *countingMetrics) MessageFailed(stockbell.Channel)              { m.add(&m.failed) }
func (m *countingMetrics) MessageRetried(stockbell.Channel)             { m.add(&m.retried) }
func (m *countingMetrics) MessageResumed(stockbell.Channel)             { m.add(&m.resumed) }

func (m *countingMetrics) MessageHeldForQuietHours(stockbell.Channel) { m.add(&m.quietHeld) }

func (m *countingMetrics) MessageSkipped(_ stockbell.Channel, reason stockbell.SkipReason) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.skipped == nil {
		m.skipped = map[stockbell.SkipReason]int{}
	}
	m.skipped[reason]++
}

func (m *countingMetrics) MessagePutOff(_ stockbell.Channel, reason stockbell.PutOffReason) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.putOff == nil {
		m.putOff = map[stockbell.PutOffReason]int{}
	}
	m.putOff[reason]++
}

// putOffCounts returns the put-offs counted, by reason.
func (m *countingMetrics) putOffCounts() map[stockbell.PutOffReason]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.putOff)
}

func (m *countingMetrics) add(n *int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	*n++
}

// runUntilDeath runs jobs until the sender dies, as the process would.
func (h *harness) runUntilDeath() {
	h.t.Helper()
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(processDied); !ok {
				panic(v)
			}
		}
	}()
	h.run()
	h.t.Fatal("the sender never died")
}

// TestSendAfterAnAttemptDied: a process that dies between the provider
// accepting a message and the sent mark leaves the message leased. Until
// the lease ends another runner waits (the job is put off to the lease's
// end, no attempt counted, nothing sent, a put-off counted); after it,
// the message is sent
// again — the documented at-least-once window — and that resend is counted
// and recorded on the message's event.
func TestSendAfterAnAttemptDied(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		dying := &dyingSender{recordingSender: h.sender}
		metrics := &countingMetrics{}
		h.msgr.Sender, h.msgr.Metrics = dying, metrics
		v := h.variant("v1")
		h.subscribe(v, 1, "d")
		h.stock("v1", "warehouse", 5)
		diedAt := h.clock.Now()
		h.runUntilDeath()

		h.clock.Add(restock.DefaultSendLease - time.Second)
		h.run()
		if n := len(h.sender.recipients()); n != 1 {
			t.Fatalf("the provider saw %d sends while the dead attempt's lease held, want 1", n)
		}
		var scheduledAt time.Time
		h.must(h.db.DB.GetContext(ctx, &scheduledAt, `SELECT scheduled_at FROM river_job WHERE kind = 'send_message'`))
		if want := diedAt.Add(restock.DefaultSendLease); !scheduledAt.Equal(want) {
			t.Fatalf("the send was put off until %s, want the lease's end %s", scheduledAt, want)
		}

		h.clock.Add(2 * time.Second)
		h.run()
		sent := h.messages(stockbell.MessageSent)
		if len(sent) != 1 || len(h.sender.recipients()) != 2 || sent[0].Attempts != 2 {
			t.Fatalf("sent %d messages in %d provider calls and %v attempts; want 1 message, 2 calls (the window), 2 attempts",
				len(sent), len(h.sender.recipients()), sent)
		}
		if metrics.resumed != 1 || metrics.sent != 1 {
			t.Fatalf("metrics: %d resumed, %d sent; want 1 and 1", metrics.resumed, metrics.sent)
		}
		if got, want := metrics.putOffCounts(), map[stockbell.PutOffReason]int{stockbell.PutOffHeldByAnotherAttempt: 1}; !maps.Equal(got, want) {
			t.Fatalf("put-offs counted %v, want %v", got, want)
		}
		events := h.events(v, stockbell.EventMessageSent)
		if len(events) != 1 || events[0]["possible_repeat"] != true {
			t.Fatalf("message_sent events %v, want one marked possible_repeat", events)
		}
	})
}

// TestNoRepeatWithoutADeadAttempt: an ordinary send, and a transient
// failure retried, are never counted as possible repeats.
func TestNoRepeatWithoutADeadAttempt(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		h.sender.failTimes, h.allowFailures = 1, 1
		v := h.variant("v1")
		h.subscribe(v, 2, "n")
		h.stock("v1", "warehouse", 5)
		h.run()
		h.clock.Add(time.Minute)
		h.run()
		if metrics.sent != 2 || metrics.retried != 1 || metrics.resumed != 0 {
			t.Fatalf("metrics: sent %d, retried %d, resumed %d; want 2, 1, 0", metrics.sent, metrics.retried, metrics.resumed)
		}
		for _, e := range h.events(v, stockbell.EventMessageSent) {
			if _, ok := e["possible_repeat"]; ok {
				t.Fatalf("event %v marked a possible repeat", e)
			}
		}
	})
}

// TestSendWhoseAnswerWasLost: a send that failed after the message was
// handed to the provider (the error wraps stockbell.ErrOutcomeUnknown) is
// retried at once, and the retry is counted as a possible repeat.
func TestSendWhoseAnswerWasLost(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		metrics := &countingMetrics{}
		h.msgr.Metrics = metrics
		h.sender.unknownTimes, h.allowFailures = 1, 1
		v := h.variant("v1")
		h.subscribe(v, 1, "u")
		h.stock("v1", "warehouse", 5)
		h.run()
		sent := h.messages(stockbell.MessageSent)
		if len(sent) != 1 || len(h.sender.recipients()) != 2 {
			t.Fatalf("%d sent after %d provider calls; want the message sent, the provider called twice", len(sent), len(h.sender.recipients()))
		}
		if metrics.retried != 1 || metrics.resumed != 1 {
			t.Fatalf("metrics: retried %d, resumed %d; want 1 and 1", metrics.retried, metrics.resumed)
		}
		if e := h.events(v, stockbell.EventMessageSent); len(e) != 1 || e[0]["possible_repeat"] != true {
			t.Fatalf("message_sent events %v, want one marked possible_repeat", e)
		}
	})
}

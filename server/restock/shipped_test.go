package restock_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestShippedSettingsTellEveryoneAtOneUnit: a shop that never changed its
// settings or its flow tells nobody while the item is sold out, then
// everyone waiting, by email, as soon as 1 unit is back, with no wait
// after. Smart sending is off for the alert, so a shopper told about one
// item a minute ago is still told about the next.
func TestShippedSettingsTellEveryoneAtOneUnit(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		a, b := h.variant("a"), h.variant("b")
		ann := h.subscribe(a, 1, "ann")
		h.subscribe(b, 1, "ann")
		waiting := append(ann, h.subscribe(a, 11, "s")...)
		h.run()
		if n := h.count(`SELECT COUNT(*) FROM messages`); n != 0 {
			t.Fatalf("%d messages before the restock", n)
		}

		h.stock("a", "warehouse", 1)
		h.run()
		if got := h.notified(a); !slices.Equal(got, waiting) {
			t.Fatalf("1 unit back notified %d, want all 12 waiting", len(got))
		}
		if until := h.waitingUntil(a); until != nil {
			t.Fatalf("waiting until %v after a batch to everyone", until)
		}
		if sent := h.sender.recipients(); len(sent) != 12 || sent[0] != "ann000@example.com" {
			t.Fatalf("sent %v, want 12 emails, ann's first", sent)
		}

		h.clock.Add(time.Minute)
		h.stock("b", "warehouse", 1)
		h.run()
		if sent := h.sender.recipients(); len(sent) != 13 || sent[12] != "ann000@example.com" {
			t.Fatalf("sent %v, want ann told about the second item too", sent)
		}
		if skipped := h.messages(stockbell.MessageSkipped); len(skipped) != 0 {
			t.Fatalf("skipped %+v, want no alert held back", skipped)
		}
	})
}

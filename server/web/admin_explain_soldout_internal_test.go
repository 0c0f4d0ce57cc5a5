package web

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestWaitEndedSoldOutReadsSoldOut: a wait between batches that ended with
// nothing left in stock reads, on a subscriber's timeline, as the item
// having sold out again, not as stock below the minimum.
func TestWaitEndedSoldOutReadsSoldOut(t *testing.T) {
	tl := &stockbell.SubscriberTimeline{Subscription: stockbell.Subscription{ID: 3, Status: stockbell.SubscriptionQueued}}
	got := describeEvent(&stockbell.Event{Kind: stockbell.EventSkipped},
		detail{"reason": string(stockbell.SkipSoldOutAgain), "stock": float64(0), "wait_ended": true}, batchSet(), tl)
	if got.What != "Nobody notified" || !strings.Contains(got.Why, "sold out again") || strings.Contains(got.Why, "minimum") {
		t.Errorf("a wait that ended sold out reads %q: %q", got.What, got.Why)
	}
}

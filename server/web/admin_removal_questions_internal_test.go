package web

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestEveryRemovableStatusIsAskedAbout: the Remove button asks, in words
// of its own, about a subscriber of every status a merchant can remove
// (stockbell.Removable), and of no other, so that a status made removable
// is never removed without the question.
func TestEveryRemovableStatusIsAskedAbout(t *testing.T) {
	for _, status := range stockbell.SubscriptionStatuses {
		q, asked := removalQuestions[status]
		if asked != stockbell.Removable(status) {
			t.Errorf("status %s: asked about %v, removable %v", status, asked, stockbell.Removable(status))
		}
		if asked && (q.Question == "" || q.Yes == "") {
			t.Errorf("status %s: the question %+v lacks its words", status, q)
		}
	}
}

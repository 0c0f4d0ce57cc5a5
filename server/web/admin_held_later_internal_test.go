package web

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestLaterDecisionOfOldSaysMessages: a later decision on a batch recorded
// before alerts and follow-ups were counted apart may have been on either,
// and reads as on "its messages held since"; one counted says which.
func TestLaterDecisionOfOldSaysMessages(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	first := stockbell.HeldBatchDecision{BatchID: 7, Approved: true, Messages: 1, At: at}
	for _, c := range []struct {
		alerts, followUps int
		want              string
	}{
		{0, 0, " Its messages held since were approved on "},
		{0, 2, " Its follow-up messages held since were approved on "},
		{2, 0, " More of its alerts, held since, were approved on "},
		{1, 1, " More of its alerts and its follow-up messages, held since, were approved on "},
	} {
		last := stockbell.HeldBatchDecision{BatchID: 7, Approved: true, Messages: 2, Alerts: c.alerts, FollowUps: c.followUps,
			At: at.Add(time.Hour), Earlier: []stockbell.HeldBatchDecision{first}}
		if got := decidedAlready(&last); !strings.Contains(got, c.want) {
			t.Errorf("%d alerts and %d follow-ups decided later read %q, want it to contain %q", c.alerts, c.followUps, got, c.want)
		}
	}
}

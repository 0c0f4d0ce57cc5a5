package web

import (
	"testing"
	"time"
)

// TestIntervalWords: a feed's interval reads as people say it, at the
// shortest (1 minute), the default (15 minutes) and the longest (7 days).
func TestIntervalWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute:                "every minute",
		15 * time.Minute:           "every 15 minutes",
		time.Hour:                  "every hour",
		90 * time.Minute:           "every 1 hour and 30 minutes",
		26*time.Hour + time.Minute: "every 1 day, 2 hours and 1 minute",
		168 * time.Hour:            "every 7 days",
	} {
		if got := intervalWords(d); got != want {
			t.Errorf("intervalWords(%s) = %q, want %q", d, got, want)
		}
	}
}

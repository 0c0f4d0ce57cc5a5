package stockbell_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestDurationWords: a duration of whole minutes reads in words, one
// minute in the singular; any other reads as Go writes it, without zero
// units.
func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute:                     "1 minute",
		15 * time.Minute:                "15 minutes",
		90 * time.Minute:                "90 minutes",
		10*time.Minute + 30*time.Second: "10m30s",
		45 * time.Second:                "45s",
	} {
		if got := stockbell.DurationWords(d); got != want {
			t.Errorf("DurationWords(%s) = %q, want %q", d, got, want)
		}
	}
}

package report

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestPeriodFrequencyReadsLastPeriod: every period LastPeriod makes, on
// each day of a leap year and the next (February of 28 and 29 days, weeks
// across months and years), is read back as the frequency it was made of.
func TestPeriodFrequencyReadsLastPeriod(t *testing.T) {
	for _, freq := range []stockbell.ReportFrequency{stockbell.ReportDaily, stockbell.ReportWeekly, stockbell.ReportMonthly} {
		for day := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC); day.Year() < 2026; day = day.AddDate(0, 0, 1) {
			from, to := LastPeriod(freq, day, time.UTC)
			if got := periodFrequency(Days{From: from, To: to}); got != freq {
				t.Fatalf("%s period %s – %s read as %s", freq, from.Format(dateLayout), to.Format(dateLayout), got)
			}
		}
	}
}

package report

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// LastPeriod returns the first and last dates of the latest period of the
// frequency that has ended by now in loc: yesterday, last week (Monday to
// Sunday) or last month.
func LastPeriod(freq stockbell.ReportFrequency, now time.Time, loc *time.Location) (from, to time.Time) {
	today := civil(now.In(loc))
	switch freq {
	case stockbell.ReportWeekly:
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		return monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1)
	case stockbell.ReportMonthly:
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		return first.AddDate(0, -1, 0), first.AddDate(0, 0, -1)
	default:
		yesterday := today.AddDate(0, 0, -1)
		return yesterday, yesterday
	}
}

// periodEnd is the instant after the period's last date in loc.
func periodEnd(to time.Time, loc *time.Location) time.Time {
	return startOf(to.AddDate(0, 0, 1), loc)
}

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

// periodFrequency is the frequency of the period from–to, as LastPeriod
// makes them: one day is daily, seven (Monday to Sunday) weekly, and a
// calendar month (28 to 31 days) monthly. A delivery's period was claimed
// at the frequency its report had then, and its email names that one
// even when the report's frequency changed while the email was queued.
func periodFrequency(days Days) stockbell.ReportFrequency {
	switch span := int(days.To.Sub(days.From).Hours()/24) + 1; span {
	case 1:
		return stockbell.ReportDaily
	case 7:
		return stockbell.ReportWeekly
	default:
		return stockbell.ReportMonthly
	}
}

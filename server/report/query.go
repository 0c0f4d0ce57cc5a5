package report

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultDays is how many days a report covers when no dates are given:
// the last 30, today included.
const DefaultDays = 30

// MaxDays bounds the days one report covers.
const MaxDays = 366

// dateLayout is how dates are written in queries and reports.
const dateLayout = time.DateOnly

// Days is a range of whole days in the shop's time zone, From through To
// (both included). Only the dates of From and To are read; zero values
// stand for the default range, the last DefaultDays days.
type Days struct {
	From time.Time
	To   time.Time
}

// ActivityQuery selects the activity a report counts or exports: the days,
// and optionally one variant, one product and one channel.
type ActivityQuery struct {
	Days
	VariantID int64
	ProductID int64
	Channel   stockbell.Channel
}

// ParseActivityQuery reads a query string: from and to (YYYY-MM-DD, in the
// shop's time zone), variant and product (ids), channel (email or sms).
// It returns an EINVALID error naming the parameter that is wrong.
func ParseActivityQuery(v url.Values) (ActivityQuery, error) {
	var q ActivityQuery
	var err error
	if q.Days, err = ParseDays(v); err != nil {
		return q, err
	}
	if q.VariantID, err = parseID(v, "variant"); err != nil {
		return q, err
	}
	if q.ProductID, err = parseID(v, "product"); err != nil {
		return q, err
	}
	switch c := stockbell.Channel(strings.TrimSpace(v.Get("channel"))); c {
	case "", stockbell.ChannelEmail, stockbell.ChannelSMS:
		q.Channel = c
	default:
		return q, stockbell.FieldErrorf("channel", "channel must be email or sms, got %q.", c)
	}
	return q, nil
}

// ParseDays reads from and to (YYYY-MM-DD); either may be left out.
func ParseDays(v url.Values) (Days, error) {
	var d Days
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &d.From}, {"to", &d.To}} {
		text := strings.TrimSpace(v.Get(p.name))
		if text == "" {
			continue
		}
		t, err := time.Parse(dateLayout, text)
		if err != nil {
			return d, stockbell.FieldErrorf(p.name, "%s must be a date such as 2025-03-01, got %q.", p.name, text)
		}
		*p.into = t
	}
	return d, nil
}

// idSource says where the id an id filter takes is shown.
var idSource = map[string]string{"variant": "variant.id", "product": "variant.product_id"}

func parseID(v url.Values, name string) (int64, error) {
	text := strings.TrimSpace(v.Get(name))
	if text == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		return 0, stockbell.FieldErrorf(name, "%s must be Stockbell's id of a %s, a whole number (the demand report's %s), got %q.",
			name, name, idSource[name], text)
	}
	return id, nil
}

// resolve fills the default range ending today in loc and checks the
// range; it returns the dates and the instants [since, until) they cover.
func (d Days) resolve(now time.Time, loc *time.Location) (from, to time.Time, since, until time.Time, err error) {
	today := civil(now.In(loc))
	from, to = civil(d.From), civil(d.To)
	switch {
	case d.To.IsZero() && d.From.IsZero():
		to, from = today, today.AddDate(0, 0, -(DefaultDays-1))
	case d.To.IsZero():
		to = from.AddDate(0, 0, DefaultDays-1)
	case d.From.IsZero():
		from = to.AddDate(0, 0, -(DefaultDays - 1))
	}
	if to.Before(from) {
		return from, to, since, until, stockbell.FieldErrorf("to", "to (%s) is before from (%s).", to.Format(dateLayout), from.Format(dateLayout))
	}
	if dayCount(from, to) > MaxDays {
		return from, to, since, until, stockbell.FieldErrorf("from", "A report covers at most %d days.", MaxDays)
	}
	return from, to, startOf(from, loc), startOf(to.AddDate(0, 0, 1), loc), nil
}

// civil returns t's date as midnight UTC (a calendar date without a zone).
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// startOf returns the instant the date begins in loc. Where a clock change
// skips midnight (America/Santiago, Atlantic/Azores, America/Havana),
// time.Date may answer an hour of the day before; the day then begins when
// the clocks jump, at the end of the zone in effect at that hour.
func startOf(date time.Time, loc *time.Location) time.Time {
	y, m, d := date.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if civil(t).Before(civil(date)) {
		_, t = t.ZoneBounds()
	}
	return t
}

// dayCount counts the dates from through to.
func dayCount(from, to time.Time) int {
	return int(to.Sub(from)/(24*time.Hour)) + 1
}

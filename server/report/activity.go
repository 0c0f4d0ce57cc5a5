package report

import (
	"cmp"
	"context"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ActivityCounts counts a shop's back-in-stock activity.
type ActivityCounts struct {
	// Subscribed counts new subscriptions; Restocked the restocks that
	// started notifications; Batches the notification batches started
	// (follow-ups after a waiting period included), of which BatchSized
	// subscribers were sized by stock and EveryoneBatches notified
	// everyone waiting.
	Subscribed      int `json:"subscribed"`
	Restocked       int `json:"restocked"`
	Batches         int `json:"batches"`
	BatchSized      int `json:"batch_sized"`
	EveryoneBatches int `json:"everyone_batches"`
	// Notified counts subscribers a batch notified; Skipped the decisions
	// to send nothing (see Skips for why); Clicked the clicks on alerts.
	Notified     int `json:"notified"`
	Skipped      int `json:"skipped"`
	Clicked      int `json:"clicked"`
	Unsubscribed int `json:"unsubscribed"`
	// Converted counts conversions and Revenue their revenue per currency.
	Converted int                   `json:"converted"`
	Revenue   stockbell.MoneyTotals `json:"revenue"`
}

// add counts one record.
func (c *ActivityCounts) add(r *stockbell.ActivityRecord) {
	switch r.Kind {
	case stockbell.EventSubscribed:
		c.Subscribed++
	case stockbell.EventRestocked:
		c.Restocked++
	case stockbell.EventBatchStarted:
		c.Batches++
		c.BatchSized += r.BatchSize
		if r.Everyone {
			c.EveryoneBatches++
		}
	case stockbell.EventNotified:
		c.Notified++
	case stockbell.EventSkipped:
		c.Skipped++
	case stockbell.EventClicked:
		c.Clicked++
	case stockbell.EventUnsubscribed:
		c.Unsubscribed++
	case stockbell.EventConverted:
		c.Converted++
		c.Revenue.Add(r.Currency, r.Revenue)
	}
}

// ActivityDay is one day of activity in the shop's time zone.
type ActivityDay struct {
	Date time.Time `json:"-"` // the calendar date, as midnight UTC
	Day  string    `json:"day"`
	ActivityCounts
}

// SkipCount is how often something was skipped for one reason.
type SkipCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// ActivityReport is a shop's activity over whole days of its time zone.
type ActivityReport struct {
	Query    ActivityQuery  `json:"-"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	TimeZone string         `json:"time_zone"`
	Totals   ActivityCounts `json:"totals"`
	// Days has one entry per date from From through To, oldest first.
	Days []ActivityDay `json:"days"`
	// Skips counts the skipped decisions by reason, most frequent first.
	Skips []SkipCount `json:"skips"`
}

// Activity counts the shop's activity matching q per day in the shop's
// time zone, reading the records as a stream. Returns EINVALID naming the
// field for a bad range.
func (r *Reports) Activity(ctx context.Context, shopID int64, q ActivityQuery) (*ActivityReport, error) {
	loc, err := r.location(ctx, shopID)
	if err != nil {
		return nil, err
	}
	filter, from, to, err := r.activityFilter(shopID, q, loc)
	if err != nil {
		return nil, err
	}
	report := &ActivityReport{From: from.Format(dateLayout), To: to.Format(dateLayout), TimeZone: loc.String()}
	q.From, q.To = from, to
	report.Query = q
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		report.Days = append(report.Days, ActivityDay{Date: d, Day: d.Format(dateLayout)})
	}
	skips := map[string]int{}
	err = r.Store.EachActivity(ctx, filter, func(rec *stockbell.ActivityRecord) error {
		i := dayCount(from, civil(rec.At.In(loc))) - 1
		if i < 0 || i >= len(report.Days) {
			return nil
		}
		report.Days[i].add(rec)
		report.Totals.add(rec)
		if rec.Kind == stockbell.EventSkipped {
			skips[rec.Reason]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	report.Skips = sortedSkips(skips)
	return report, nil
}

// activityFilter resolves the query's days in loc into the store's filter.
func (r *Reports) activityFilter(shopID int64, q ActivityQuery, loc *time.Location) (f stockbell.ActivityFilter, from, to time.Time, err error) {
	from, to, since, until, err := q.Days.resolve(r.Clock.Now(), loc)
	if err != nil {
		return f, from, to, err
	}
	f = stockbell.ActivityFilter{ShopID: shopID, VariantID: q.VariantID, ProductID: q.ProductID, Channel: q.Channel,
		Since: since, Until: until}
	return f, from, to, nil
}

func sortedSkips(skips map[string]int) []SkipCount {
	out := make([]SkipCount, 0, len(skips))
	for reason, n := range skips {
		out = append(out, SkipCount{Reason: reason, Count: n})
	}
	slices.SortFunc(out, func(a, b SkipCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

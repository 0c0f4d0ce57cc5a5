package report

import stockbell "github.com/stockbell/stockbell"

// ActivityRow is one row of the activity's table: a count, or under
// Skipped, the skips of one Reason.
type ActivityRow struct {
	Label  string
	Count  int
	Reason string // the skip reason of a row under Skipped; "" for the others
}

// Rows are the activity's table, in the words and order of the Reports
// page, which scheduled report emails repeat: what the page shows, the
// email says.
func (r *ActivityReport) Rows() []ActivityRow {
	t := r.Totals
	rows := []ActivityRow{{"Subscribed", t.Subscribed, ""}, {"Restocked (notifications started)", t.Restocked, ""},
		{"Batches of alerts", t.Batches, ""}, {"Shoppers in stock-sized batches", t.BatchSized, ""},
		{"Batches to everyone waiting", t.EveryoneBatches, ""}, {"Notified", t.Notified, ""}, {"Skipped", t.Skipped, ""}}
	for _, skip := range r.Skips {
		rows = append(rows, ActivityRow{"because " + stockbell.SkipReason(skip.Reason).Words(), skip.Count, skip.Reason})
	}
	return append(rows, ActivityRow{"Clicked", t.Clicked, ""}, ActivityRow{"Unsubscribed", t.Unsubscribed, ""},
		ActivityRow{"Converted", t.Converted, ""})
}

package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// content writes a report's summary and its CSV for the days. The CSV is
// nil when it would be larger than MaxAttachmentBytes: its writing stops
// there, and the summary says where to download it instead.
func (s *Scheduler) content(ctx context.Context, sub stockbell.ReportSubscription, days Days) (string, []byte, error) {
	file := &attachment{}
	write := s.activityContent
	if sub.Report == stockbell.ReportQueuedSubscribers {
		write = s.queuedContent
	}
	summary, err := write(ctx, sub, days, file)
	if err != nil {
		return "", nil, err
	}
	if file.tooLarge {
		return summary, nil, nil
	}
	return summary, file.buf.Bytes(), nil
}

// queuedContent writes the waiting list's CSV to file and returns its summary.
func (s *Scheduler) queuedContent(ctx context.Context, sub stockbell.ReportSubscription, _ Days, file *attachment) (string, error) {
	demand, err := s.Reports.ProductsInDemand(ctx, sub.ShopID, 0, 10)
	if err != nil {
		return "", err
	}
	if err := file.keep(s.Reports.WriteQueuedCSV(ctx, file, sub.ShopID, CSVOptions{BOM: true})); err != nil {
		return "", err
	}
	return demandSummary(demand, file.note("Every queued subscriber")), nil
}

// activityContent writes the activity's CSV to file and returns its summary.
func (s *Scheduler) activityContent(ctx context.Context, sub stockbell.ReportSubscription, days Days, file *attachment) (string, error) {
	q := ActivityQuery{Days: days}
	activity, err := s.Reports.Activity(ctx, sub.ShopID, q)
	if err != nil {
		return "", err
	}
	if err := file.keep(s.Reports.WriteActivityCSV(ctx, file, sub.ShopID, q, CSVOptions{BOM: true})); err != nil {
		return "", err
	}
	return activitySummary(activity, file.note("Every event of these days")), nil
}

// errAttachmentTooLarge stops a report's CSV once it passed MaxAttachmentBytes.
var errAttachmentTooLarge = errors.New("report: the CSV is larger than an attachment may be")

// attachment holds a report's CSV up to MaxAttachmentBytes: a write that
// would pass that fails, which stops the export reading rows, so that a
// huge file is neither read in full nor held in memory.
type attachment struct {
	buf      bytes.Buffer
	tooLarge bool
}

// Write implements io.Writer.
func (a *attachment) Write(p []byte) (int, error) {
	if a.tooLarge || a.buf.Len()+len(p) > MaxAttachmentBytes {
		a.tooLarge = true
		return 0, errAttachmentTooLarge
	}
	return a.buf.Write(p)
}

// keep returns an export's error, unless it stopped because the file grew
// too large to attach (whatever error the export wrapped that in).
func (a *attachment) keep(err error) error {
	if a.tooLarge {
		return nil
	}
	return err
}

// note says where the rows are: in the attached CSV, or, when it is too
// large, in the one the admin's Reports page downloads.
func (a *attachment) note(every string) string {
	if !a.tooLarge {
		return every + " is in the attached CSV.\n"
	}
	return fmt.Sprintf("%s is in a CSV larger than %d MB, too large to attach: download it from Reports in the Stockbell admin.\n",
		every, MaxAttachmentBytes>>20)
}

// activitySummary is the activity report in a few lines of text, ending
// with the note on its CSV.
func activitySummary(r *ActivityReport, fileNote string) string {
	var b strings.Builder
	t := r.Totals
	fmt.Fprintf(&b, "Back-in-stock activity, %s to %s (%s):\n\n", r.From, r.To, r.TimeZone)
	for _, line := range []struct {
		label string
		n     int
	}{{"Subscribed", t.Subscribed}, {"Restocked", t.Restocked}, {"Batches of alerts", t.Batches}, {"Notified", t.Notified},
		{"Skipped", t.Skipped}, {"Clicked", t.Clicked}, {"Unsubscribed", t.Unsubscribed}, {"Converted", t.Converted}} {
		fmt.Fprintf(&b, "  %-18s %d\n", line.label, line.n)
	}
	for _, m := range t.Revenue {
		fmt.Fprintf(&b, "  %-18s %s %s\n", "Recovered revenue", m.Amount, m.Currency)
	}
	for _, skip := range r.Skips {
		fmt.Fprintf(&b, "  skipped: %s ×%d\n", strings.ReplaceAll(skip.Reason, "_", " "), skip.Count)
	}
	b.WriteString("\n" + fileNote)
	return b.String()
}

// demandSummary lists the most wanted variants with reorder advice,
// ending with the note on the CSV.
func demandSummary(r *DemandReport, fileNote string) string {
	if r.Total == 0 {
		return "Nobody is waiting for a restock right now.\n"
	}
	var b strings.Builder
	variants := "variants"
	if r.Total == 1 {
		variants = "variant"
	}
	fmt.Fprintf(&b, "Shoppers are waiting for %d %s. The most wanted:\n\n", r.Total, variants)
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "  %s: %d waiting, stock %d, about %.1f units if restocked now\n",
			variantName(row.Variant.ProductTitle, row.Variant.Title), row.Queued, row.Variant.Stock, row.ExpectedUnits)
	}
	source := "your shop's own rate over the last 90 days"
	if !r.Rate.FromHistory {
		source = "the default rate until your shop has history"
	}
	fmt.Fprintf(&b, "\nExpected units assume %.1f%% of those waiting buy (%s).\n%s", r.Rate.Rate*100, source, fileNote)
	return b.String()
}

func variantName(product, variant string) string {
	if variant == "" || variant == "Default Title" {
		return product
	}
	return product + " – " + variant
}

func reportTitle(k stockbell.ReportKind) string {
	if k == stockbell.ReportQueuedSubscribers {
		return "waiting list"
	}
	return "activity"
}

func frequencyTitle(f stockbell.ReportFrequency) string {
	return map[stockbell.ReportFrequency]string{stockbell.ReportDaily: "Daily", stockbell.ReportWeekly: "Weekly",
		stockbell.ReportMonthly: "Monthly"}[f]
}

// periodLabel names the days: one date, or first – last.
func periodLabel(d Days) string {
	if d.From.Equal(d.To) {
		return d.From.Format("2 Jan 2006")
	}
	return d.From.Format("2 Jan") + " – " + d.To.Format("2 Jan 2006")
}

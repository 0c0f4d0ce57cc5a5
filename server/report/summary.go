package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// content writes a report's summary and its CSV for the days.
func (s *Scheduler) content(ctx context.Context, sub stockbell.ReportSubscription, days Days) (string, *bytes.Buffer, error) {
	file := &bytes.Buffer{}
	if sub.Report == stockbell.ReportQueuedSubscribers {
		demand, err := s.Reports.ProductsInDemand(ctx, sub.ShopID, 0, 10)
		if err != nil {
			return "", nil, err
		}
		return demandSummary(demand), file, s.Reports.WriteQueuedCSV(ctx, file, sub.ShopID, CSVOptions{BOM: true})
	}
	q := ActivityQuery{Days: days}
	activity, err := s.Reports.Activity(ctx, sub.ShopID, q)
	if err != nil {
		return "", nil, err
	}
	return activitySummary(activity), file, s.Reports.WriteActivityCSV(ctx, file, sub.ShopID, q, CSVOptions{BOM: true})
}

// activitySummary is the activity report in a few lines of text.
func activitySummary(r *ActivityReport) string {
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
	b.WriteString("\nEvery event is in the attached CSV.\n")
	return b.String()
}

// demandSummary lists the most wanted variants with reorder advice.
func demandSummary(r *DemandReport) string {
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
	fmt.Fprintf(&b, "\nExpected units assume %.1f%% of those waiting buy (%s).\nEvery queued subscriber is in the attached CSV.\n",
		r.Rate.Rate*100, source)
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

package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
)

// content writes a report's body and its CSV for the days. The CSV is nil
// when it would be larger than MaxAttachmentBytes: its writing stops
// there, and the body says where to download it instead.
func (s *Scheduler) content(ctx context.Context, sub stockbell.ReportSubscription, days Days) (*reportBody, []byte, error) {
	file := &attachment{}
	write := s.activityContent
	if sub.Report == stockbell.ReportQueuedSubscribers {
		write = s.queuedContent
	}
	body, err := write(ctx, sub, days, file)
	if err != nil {
		return nil, nil, err
	}
	if file.tooLarge {
		return body, nil, nil
	}
	return body, file.buf.Bytes(), nil
}

// queuedContent writes the waiting list's CSV to file and returns its body.
// Its figures are those of now, as of when the email is written (not of
// the period claimed), and the body says so.
func (s *Scheduler) queuedContent(ctx context.Context, sub stockbell.ReportSubscription, _ Days, file *attachment) (*reportBody, error) {
	demand, err := s.Reports.ProductsInDemand(ctx, sub.ShopID, 0, 10)
	if err != nil {
		return nil, err
	}
	loc, err := s.Reports.location(ctx, sub.ShopID)
	if err != nil {
		return nil, err
	}
	if err := file.keep(s.Reports.WriteQueuedCSV(ctx, file, sub.ShopID, CSVOptions{BOM: true})); err != nil {
		return nil, err
	}
	return demandBody(demand, asOfLabel(s.Clock.Now(), loc), file.note("Every queued subscriber")), nil
}

// asOfLabel names the moment the waiting list's figures are of, in the
// shop's time zone: "13 Jan 2025, 01:30 (America/New_York)".
func asOfLabel(now time.Time, loc *time.Location) string {
	return now.In(loc).Format("2 Jan 2006, 15:04") + " (" + loc.String() + ")"
}

// activityContent writes the activity's CSV to file and returns its body,
// with the recovered revenue of the orders placed in the days, as the
// Reports page shows it (the activity counts a conversion on the day its
// order reached Stockbell instead).
func (s *Scheduler) activityContent(ctx context.Context, sub stockbell.ReportSubscription, days Days, file *attachment) (*reportBody, error) {
	q := ActivityQuery{Days: days}
	activity, err := s.Reports.Activity(ctx, sub.ShopID, q)
	if err != nil {
		return nil, err
	}
	conversions, err := s.Reports.Conversions(ctx, sub.ShopID, q)
	if err != nil {
		return nil, err
	}
	if err := file.keep(s.Reports.WriteActivityCSV(ctx, file, sub.ShopID, q, CSVOptions{BOM: true})); err != nil {
		return nil, err
	}
	return activityBody(activity, conversions.Revenue, file.note("Every event of these days")), nil
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
		return every + " is in the attached CSV."
	}
	return fmt.Sprintf("%s is in a CSV larger than %d MB, too large to attach: download it from Reports in the Stockbell admin.",
		every, MaxAttachmentBytes>>20)
}

// quietPeriod is said above the figures of a period in which nothing
// happened, so that all zeros read as a quiet period rather than a fault.
const quietPeriod = "Nothing happened in these days: no sign-ups, restocks, alerts, clicks or orders."

// activityBody is the activity report's figures, every row of the Reports
// page's activity table in its words (ActivityReport.Rows), with the
// revenue of the orders placed in its days, ending with the note on its CSV.
func activityBody(r *ActivityReport, revenue stockbell.MoneyTotals, fileNote string) *reportBody {
	t := r.Totals
	b := &reportBody{Intro: fmt.Sprintf("Back-in-stock activity, %s to %s (%s):", r.From, r.To, r.TimeZone), Notes: []string{fileNote}}
	for _, row := range r.Rows() {
		if row.Reason != "" {
			label := "skipped " + row.Label
			b.Figures = append(b.Figures, figure{Label: label, Value: strconv.Itoa(row.Count), Text: fmt.Sprintf("  %s ×%d", label, row.Count), Count: true})
			continue
		}
		b.Figures = append(b.Figures, countFigure(row.Label, strconv.Itoa(row.Count)))
	}
	if len(revenue) > 0 {
		b.Figures = append(b.Figures, countFigure("Recovered revenue", moneytext.MerchantTotals(revenue)))
	}
	if reflect.DeepEqual(t, ActivityCounts{Revenue: t.Revenue}) && len(t.Revenue) == 0 && len(revenue) == 0 {
		b.Quiet = quietPeriod
	}
	return b
}

// demandBody lists the most wanted variants with reorder advice, as of a
// moment (asOfLabel), ending with the note on the CSV.
func demandBody(r *DemandReport, asOf, fileNote string) *reportBody {
	if r.Total == 0 {
		return &reportBody{AsOf: asOf, Intro: fmt.Sprintf("As of %s, nobody is waiting for a restock.", asOf)}
	}
	variants := "variants"
	if r.Total == 1 {
		variants = "variant"
	}
	b := &reportBody{AsOf: asOf, Intro: fmt.Sprintf("As of %s, shoppers are waiting for %d %s. The most wanted:", asOf, r.Total, variants)}
	for _, row := range r.Rows {
		name := variantName(row.Variant.ProductTitle, row.Variant.Title)
		value := fmt.Sprintf("%d waiting, stock %d, about %.1f units if restocked now", row.Queued, row.Variant.Stock, row.ExpectedUnits)
		b.Figures = append(b.Figures, figure{Label: name, Value: value, Text: "  " + name + ": " + value})
	}
	source := "your shop's own rate over the last 90 days"
	switch {
	case !r.Rate.OrdersCounted:
		source = "the default rate: your shop's orders do not reach Stockbell"
	case !r.Rate.FromHistory:
		source = "the default rate until your shop has history"
	}
	b.Notes = []string{fmt.Sprintf("Expected units assume %.1f%% of those waiting buy (%s).", r.Rate.Rate*100, source), fileNote}
	return b
}

// noOrdersNote says in the activity report of a shop that sends Stockbell
// no orders that its Converted counts none of its purchases.
func noOrdersNote(shop *stockbell.Shop) string {
	return shop.WhyNoOrders() + ": conversions and recovered revenue are not counted."
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

// periodLabel names the days: one date, or first – last, with the first's
// year too when the period runs into the next year.
func periodLabel(d Days) string {
	if d.From.Equal(d.To) {
		return d.From.Format("2 Jan 2006")
	}
	first := "2 Jan"
	if d.From.Year() != d.To.Year() {
		first = "2 Jan 2006"
	}
	return d.From.Format(first) + " – " + d.To.Format("2 Jan 2006")
}

package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
	"github.com/stockbell/stockbell/server/report"
)

// reorderRows is how many variants the Reports page advises on.
const reorderRows = 20

// reportsFilter is the Reports page's filter form as typed.
type reportsFilter struct {
	From, To, Variant, Product, Channel string
}

// reportsData is the Reports page.
type reportsData struct {
	Filter reportsFilter
	filterChoices
	Activity    *report.ActivityReport
	Chart       *barChart
	Conversions *report.ConversionReport
	Demand      *report.DemandReport
	// Currency is the shop's, for the expected revenue of a demand row whose
	// price states no currency of its own ("" when unknown).
	Currency string
	// ExportLink and ExportLinkBOM download the activity with the filter.
	ExportLink    string
	ExportLinkBOM string
	Error         string
	ErrorField    string
}

// registerReports mounts the Reports pages when reports are wired.
func (a *Admin) registerReports() {
	if a.Reports == nil {
		return
	}
	a.HandlePage("/admin/reports", NavItem{Label: "Reports", Order: 45}, a.reportsPage, http.MethodGet)
	a.Handle("/admin/reports/activity.csv", a.exportActivity, http.MethodGet)
	a.Handle("/admin/reports/queued-subscribers.csv", a.exportQueued, http.MethodGet)
	if a.ReportSchedule != nil && a.ReportLinks != nil {
		a.Handle("/admin/reports/scheduled", a.scheduledReportsPage, http.MethodGet, http.MethodPost)
		a.Handle("/admin/reports/scheduled/{id:[0-9]+}/remove", a.removeScheduledReport, http.MethodPost)
		a.Handle("/admin/reports/scheduled/{id:[0-9]+}/frequency", a.changeScheduledReportFrequency, http.MethodPost)
		a.server.router.HandleFunc(report.UnsubscribePath+"{token}", a.reportUnsubscribe).Methods(http.MethodGet, http.MethodPost)
	}
}

// reportsPage shows the activity (filtered, per day with a chart), the
// conversions and the reorder advice.
func (a *Admin) reportsPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	ctx := r.Context()
	v := r.URL.Query()
	data := &reportsData{Filter: reportsFilter{From: v.Get("from"), To: v.Get("to"), Variant: v.Get("variant"),
		Product: v.Get("product"), Channel: v.Get("channel")}}
	q, err := report.ParseActivityQuery(v)
	choices, choicesErr := a.reportChoices(ctx, s.ShopID, q)
	if choicesErr != nil {
		a.Fail(w, r, s, choicesErr)
		return
	}
	data.filterChoices = *choices
	if err == nil {
		err = variantOfShop(q, data.Variants)
	}
	if err == nil {
		err = variantOfProduct(q, data.Variants)
	}
	if err == nil {
		data.Activity, err = a.Reports.Activity(ctx, s.ShopID, q)
	}
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		data.Error, data.ErrorField = stockbell.ErrorMessage(err), stockbell.ErrorField(err)
		a.Render(w, r, s, http.StatusUnprocessableEntity, "reports", "Reports", data)
		return
	}
	if err == nil {
		data.Conversions, err = a.Reports.Conversions(ctx, s.ShopID, data.Activity.Query)
	}
	if err == nil {
		data.Demand, err = a.Reports.ProductsInDemand(ctx, s.ShopID, 0, reorderRows)
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data.Filter.From, data.Filter.To = data.Activity.From, data.Activity.To
	data.Chart = activityChart(data.Activity)
	data.Currency = s.Shop.Currency
	view := &AdminView{Shop: s.Shop, Session: s}
	pairs := exportPairs(data.Activity)
	data.ExportLink = view.Link("/admin/reports/activity.csv", pairs...)
	data.ExportLinkBOM = view.Link("/admin/reports/activity.csv", append(pairs, "bom", 1)...)
	a.Render(w, r, s, http.StatusOK, "reports", "Reports", data)
}

// variantOfShop refuses a filter by a variant that is not among variants,
// which hold the one the query names when the shop has it: whether no
// variant has the id or another shop's does, the words are the same.
func variantOfShop(q report.ActivityQuery, variants []*stockbell.VariantWithProduct) error {
	if q.VariantID == 0 || slices.ContainsFunc(variants, func(v *stockbell.VariantWithProduct) bool { return v.ID == q.VariantID }) {
		return nil
	}
	return stockbell.FieldErrorf("variant", "This shop has no variant %d: choose one from the list, or All variants.", q.VariantID)
}

// shopHasVariant refuses an activity query by a variant the shop has none
// by, whether no variant has the id or another shop's does (the same
// words), rather than answering empty figures as if it were the shop's.
func shopHasVariant(ctx context.Context, catalog stockbell.CatalogService, shopID int64, q report.ActivityQuery) error {
	if q.VariantID == 0 {
		return nil
	}
	_, err := catalog.FindVariantByID(ctx, shopID, q.VariantID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return stockbell.FieldErrorf("variant", "This shop has no variant %d.", q.VariantID)
	}
	return err
}

// variantOfProduct refuses a filter by a product and a variant of another
// product (variants holds both), whose figures would all be zero.
func variantOfProduct(q report.ActivityQuery, variants []*stockbell.VariantWithProduct) error {
	i := slices.IndexFunc(variants, func(v *stockbell.VariantWithProduct) bool { return v.ID == q.VariantID })
	if q.ProductID == 0 || i < 0 || variants[i].ProductID == q.ProductID {
		return nil
	}
	product := "the product chosen"
	if j := slices.IndexFunc(variants, func(v *stockbell.VariantWithProduct) bool { return v.ProductID == q.ProductID }); j >= 0 {
		product = variants[j].ProductTitle
	}
	return stockbell.FieldErrorf("variant", "%s is not a variant of %s: choose one of its variants, or All variants.", variantName(variants[i]), product)
}

// activityChart draws subscribed, notified, clicked and converted per day.
func activityChart(r *report.ActivityReport) *barChart {
	dates := make([]time.Time, len(r.Days))
	series := make([][]int, 4)
	for i, d := range r.Days {
		dates[i] = d.Date
		for s, n := range []int{d.Subscribed, d.Notified, d.Clicked, d.Converted} {
			series[s] = append(series[s], n)
		}
	}
	c := newBarChart("report-activity", "Subscribed, notified, clicked and converted per day", dates,
		chartSeries{Label: "Subscribed", Values: series[0]}, chartSeries{Label: "Notified", Values: series[1]},
		chartSeries{Label: "Clicked", Values: series[2]}, chartSeries{Label: "Converted", Values: series[3]})
	var parts []string
	for _, s := range c.Legend {
		parts = append(parts, formatNumber(s.Total)+" "+strings.ToLower(s.Label))
	}
	c.Summary = fmt.Sprintf("(%s, %s to %s)", strings.Join(parts, ", "), r.From, r.To)
	c.Description = fmt.Sprintf("Bars per day from %s to %s in %s. %s.", r.From, r.To, r.TimeZone, strings.Join(parts, ", "))
	return c
}

// exportPairs is the report's resolved filter as query pairs for Link.
func exportPairs(r *report.ActivityReport) []any {
	return []any{"from", r.From, "to", r.To, "variant", r.Query.VariantID, "product", r.Query.ProductID, "channel", r.Query.Channel}
}

// exportActivity streams the activity export with the page's filters.
func (a *Admin) exportActivity(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	q, err := report.ParseActivityQuery(r.URL.Query())
	if err == nil {
		err = shopHasVariant(r.Context(), a.Catalog, s.ShopID, q)
	}
	opts, optsErr := csvOptionsOf(r.URL.Query())
	if err == nil {
		err = optsErr
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	out := a.csvResponse(w, s, "activity")
	err = a.Reports.WriteActivityCSV(r.Context(), out, s.ShopID, q, opts)
	a.endCSV(w, r, s, out, err)
}

// exportQueued streams every queued subscriber of the shop.
func (a *Admin) exportQueued(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	opts, err := csvOptionsOf(r.URL.Query())
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	out := a.csvResponse(w, s, "queued-subscribers")
	err = a.Reports.WriteQueuedCSV(r.Context(), out, s.ShopID, opts)
	a.endCSV(w, r, s, out, err)
}

// csvResponse is a response that becomes a CSV download at its first byte,
// so that an error found before anything is written still gets an error page.
func (a *Admin) csvResponse(w http.ResponseWriter, s *AdminSession, what string) *CSVResponse {
	name := fmt.Sprintf("stockbell-%s-%s-%s.csv", what, exportName(s.Shop.Domain), a.Clock.Now().UTC().Format("2006-01-02"))
	return &CSVResponse{W: w, FileName: name}
}

// endCSV ends an export: an error before the first byte gets an error
// page; one after it breaks the response off, so that the download fails
// instead of ending like a complete file with rows missing.
func (a *Admin) endCSV(w http.ResponseWriter, r *http.Request, s *AdminSession, out *CSVResponse, err error) {
	switch {
	case err != nil && !out.Started:
		a.Fail(w, r, s, err)
	case err != nil:
		a.Logger.Error("export stopped", "shop_id", s.ShopID, "route", routeOf(r), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// CSVResponse writes a CSV download: its headers go out with the first
// byte written.
type CSVResponse struct {
	W        http.ResponseWriter
	FileName string
	Started  bool
}

// Write implements io.Writer.
func (c *CSVResponse) Write(p []byte) (int, error) {
	if !c.Started {
		c.Started = true
		c.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.W.Header().Set("Content-Disposition", `attachment; filename="`+c.FileName+`"`)
		c.W.Header().Set("Cache-Control", "no-store")
	}
	return c.W.Write(p)
}

// formatAmount writes an amount in its currency as merchants read it
// ("€50.00", "¥1,500"), or alone when the currency is not known ("").
func formatAmount(a stockbell.Amount, currency string) string {
	return moneytext.Merchant(stockbell.Money{Currency: currency, Amount: a})
}

// formatEstimate writes an expected revenue as formatAmount does, rounded
// to its currency's decimals ("¥123", "€4.67").
func formatEstimate(a stockbell.Amount, currency string) string {
	return moneytext.MerchantEstimate(stockbell.Money{Currency: currency, Amount: a})
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// scheduledData is the Scheduled reports page: the shop's subscriptions
// and the form adding one (as typed, after a refused post).
type scheduledData struct {
	Subscriptions []scheduledRow
	Email         string
	Report        string
	Frequency     string
	TimeZone      string
	Error         string
	ErrorField    string
}

// scheduledRow is a scheduled report as the page lists it.
type scheduledRow struct {
	*stockbell.ReportSubscription
	// Added is the day it was added in the shop's time zone, the zone of
	// the periods the page speaks of.
	Added string
}

// scheduledReportsPage lists the shop's scheduled reports (GET) and adds
// one (POST). A refused post stores nothing and answers 422 with the
// message beside the field.
func (a *Admin) scheduledReportsPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	ctx := r.Context()
	data := &scheduledData{Report: string(stockbell.ReportActivity), Frequency: string(stockbell.ReportWeekly)}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		create := stockbell.ReportSubscriptionCreate{ShopID: s.ShopID, Email: strings.TrimSpace(r.PostFormValue("email")),
			Report: stockbell.ReportKind(r.PostFormValue("report")), Frequency: stockbell.ReportFrequency(r.PostFormValue("frequency")),
			CreatedBy: deciderWords(s.User)}
		_, err := a.ReportSchedule.CreateReportSubscription(ctx, create)
		if err == nil {
			a.Logger.Info("report scheduled", "shop_id", s.ShopID, "report", create.Report, "frequency", create.Frequency)
			a.Redirect(w, r, s, "/admin/reports/scheduled", "notice", "report_scheduled")
			return
		}
		if stockbell.ErrorCode(err) != stockbell.EINVALID {
			a.Fail(w, r, s, err)
			return
		}
		data.Email, data.Report, data.Frequency = create.Email, string(create.Report), string(create.Frequency)
		data.Error, data.ErrorField, status = stockbell.ErrorMessage(err), stockbell.ErrorField(err), http.StatusUnprocessableEntity
	}
	subs, err := a.ReportSchedule.FindReportSubscriptions(ctx, s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	settings, err := a.Settings.FindSettings(ctx, s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	loc := settings.Location()
	data.TimeZone = loc.String()
	for _, sub := range subs {
		data.Subscriptions = append(data.Subscriptions, scheduledRow{ReportSubscription: sub, Added: sub.CreatedAt.In(loc).Format("2 Jan 2006")})
	}
	a.Render(w, r, s, status, "scheduled_reports", "Scheduled reports", data)
}

// removeScheduledReport removes one of the shop's scheduled reports.
func (a *Admin) removeScheduledReport(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err := a.ReportSchedule.DeleteReportSubscription(r.Context(), s.ShopID, id); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	a.Redirect(w, r, s, "/admin/reports/scheduled", "notice", "report_unscheduled")
}

// changeScheduledReportFrequency changes how often one of the shop's
// scheduled reports is sent.
func (a *Admin) changeScheduledReportFrequency(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	freq := stockbell.ReportFrequency(r.PostFormValue("frequency"))
	if _, err := a.ReportSchedule.ChangeReportFrequency(r.Context(), s.ShopID, id, freq); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	a.Logger.Info("scheduled report frequency changed", "shop_id", s.ShopID, "report_subscription_id", id, "frequency", freq)
	a.Redirect(w, r, s, "/admin/reports/scheduled", "notice", "report_frequency_changed")
}

// reportUnsubscribeData is the public page of a report's unsubscribe link.
type reportUnsubscribeData struct {
	Subscription *stockbell.ReportSubscription
	Done         bool
	// Gone is a link whose report was no longer scheduled when it was
	// opened: removed, or merged into the same report at another frequency
	// (ChangeReportFrequency), which still comes to the address.
	Gone bool
}

// reportUnsubscribe serves a scheduled report's signed unsubscribe link:
// GET asks to confirm (link scanners must not unsubscribe anyone), POST
// (the button, or a mail client's one-click RFC 8058 request) removes that
// one report subscription.
func (a *Admin) reportUnsubscribe(w http.ResponseWriter, r *http.Request) {
	shopID, id, err := a.ReportLinks.ParseUnsubscribeToken(mux.Vars(r)["token"])
	if err != nil {
		a.Fail(w, r, nil, stockbell.Errorf(stockbell.ENOTFOUND, "This unsubscribe link is not valid."))
		return
	}
	ctx := r.Context()
	subs, err := a.ReportSchedule.FindReportSubscriptions(ctx, shopID)
	if err != nil {
		a.Fail(w, r, nil, err)
		return
	}
	data := &reportUnsubscribeData{Done: true, Gone: true}
	for _, sub := range subs {
		if sub.ID == id {
			data.Subscription, data.Done, data.Gone = sub, false, false
		}
	}
	if r.Method == http.MethodPost && data.Subscription != nil {
		err := a.ReportSchedule.DeleteReportSubscription(ctx, shopID, id)
		if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			a.Fail(w, r, nil, err)
			return
		}
		a.Logger.Info("scheduled report unsubscribed by link", "shop_id", shopID, "report_subscription_id", id)
		data.Done = true
	}
	a.renderPublic(w, http.StatusOK, "report_unsubscribe", "Scheduled report", data)
}

// reportTitles name reports and frequencies on the admin's pages.
var reportTitles = map[string]string{
	string(stockbell.ReportActivity): "Back-in-stock activity", string(stockbell.ReportQueuedSubscribers): "Waiting list",
	string(stockbell.ReportDaily): "Daily", string(stockbell.ReportWeekly): "Weekly (Monday to Sunday)",
	string(stockbell.ReportMonthly): "Monthly",
}

// reportTitle names a report kind or frequency.
func reportTitle(v any) string {
	var key string
	switch x := v.(type) {
	case stockbell.ReportKind:
		key = string(x)
	case stockbell.ReportFrequency:
		key = string(x)
	case string:
		key = x
	}
	if t, ok := reportTitles[key]; ok {
		return t
	}
	return key
}

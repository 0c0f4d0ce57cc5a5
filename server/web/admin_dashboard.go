package web

import (
	"context"
	"net/http"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// dashboardDays is the period the dashboard charts.
const dashboardDays = 30

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Queued    int
	Days      int
	Totals    stockbell.ActivityDay
	Activity  *barChart
	Restocks  *barChart
	Flow      *stockbell.Flow
	Settings  *stockbell.RestockSettings
	Example   string
	HasDemand bool
	// HeldBatches is how many batches of alerts wait for the merchant's
	// approval (a manual flow): the page says so first.
	HeldBatches int
}

// dashboard shows subscribers queued now and the last 30 days of
// subscriptions, notifications, clicks, restocks and batches.
func (a *Admin) dashboard(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	ctx := r.Context()
	queued := stockbell.SubscriptionQueued
	_, total, err := a.Subscriptions.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &s.ShopID, Status: &queued, Limit: 1})
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	now := a.Clock.Now()
	days, err := a.Activity.DailyActivity(ctx, s.ShopID, now.AddDate(0, 0, -(dashboardDays-1)), now)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data := &dashboardData{Queued: total, Days: dashboardDays}
	if data.Flow, err = a.Flows.FindFlow(ctx, s.ShopID); err == nil {
		data.Settings, err = a.Settings.FindSettings(ctx, s.ShopID)
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	if data.HeldBatches, err = a.countHeldBatches(ctx, s.ShopID); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data.Example = WorkedExample(*data.Settings)
	data.Activity, data.Restocks, data.Totals = dashboardCharts(days)
	a.Render(w, r, s, http.StatusOK, "dashboard", "Dashboard", data)
}

// dashboardCharts builds the two charts and the period's totals.
func dashboardCharts(days []stockbell.ActivityDay) (activity, restocks *barChart, totals stockbell.ActivityDay) {
	dates := make([]time.Time, len(days))
	series := make([][]int, 5)
	for i, d := range days {
		dates[i] = d.Day
		for s, v := range []int{d.Subscribed, d.Notified, d.Clicked, d.Restocks, d.Batches} {
			series[s] = append(series[s], v)
		}
		totals.Subscribed += d.Subscribed
		totals.Notified += d.Notified
		totals.Clicked += d.Clicked
		totals.Restocks += d.Restocks
		totals.Batches += d.Batches
	}
	activity = newBarChart("activity", "Subscribed, notified and clicked", dates,
		chartSeries{Label: "Subscribed", Values: series[0]}, chartSeries{Label: "Notified", Values: series[1]},
		chartSeries{Label: "Clicked", Values: series[2]})
	restocks = newBarChart("restocks", "Restocks and batches", dates,
		chartSeries{Label: "Restocks", One: "restock", Many: "restocks", Values: series[3]},
		chartSeries{Label: "Batches", One: "batch", Many: "batches", Values: series[4]})
	return activity, restocks, totals
}

// countHeldBatches is how many batches of the shop wait for approval.
func (a *Admin) countHeldBatches(ctx context.Context, shopID int64) (int, error) {
	if a.Held == nil {
		return 0, nil
	}
	return a.Held.CountHeldBatches(ctx, shopID)
}

package report_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestChangedFrequencyTakesTheNewPeriods: a scheduled report whose
// frequency changes is claimed as if it had always had the new one: the
// latest ended period of the new frequency, unless that period ended
// before the report was added, then one per period.
func TestChangedFrequencyTakesTheNewPeriods(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, sub, s := weeklyActivityReport(t, db)
		tick := func(at time.Time) {
			t.Helper()
			f.clock.Add(at.Sub(f.clock.Now()))
			must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		}
		change := func(freq stockbell.ReportFrequency) {
			t.Helper()
			if _, err := db.ChangeReportFrequency(ctx, f.shop.ID, sub.ID, freq); err != nil {
				t.Fatal(err)
			}
		}

		tick(local(13, 6, 0)) // Monday: last week's report
		change(stockbell.ReportDaily)
		tick(local(14, 9, 0)) // Tuesday: Monday's report
		tick(local(15, 9, 0))
		change(stockbell.ReportMonthly)
		tick(local(16, 9, 0)) // December ended before the report was added
		want := [][2]string{{"2025-01-06", "2025-01-12"}, {"2025-01-13", "2025-01-13"}, {"2025-01-14", "2025-01-14"}}
		if got := claimedPeriods(t, db, sub.ID); !slices.Equal(got, want) {
			t.Fatalf("periods claimed %v, want %v", got, want)
		}
	})
}

// TestQueuedReportNamesItsOwnFrequency: last week's report is claimed, and
// its email is still queued when the report changes to monthly. The email
// covers last week, so its subject and text say weekly, and its text says
// how often the report comes from now on.
func TestQueuedReportNamesItsOwnFrequency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, sub, s := weeklyActivityReport(t, db)
		f.clock.Add(local(13, 6, 0).Sub(f.clock.Now())) // Monday: last week's report is claimed
		must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		var deliveryID int64
		must(t, db.DB.GetContext(ctx, &deliveryID, db.DB.Rebind(`SELECT id FROM report_deliveries WHERE subscription_id = ?`), sub.ID))
		if _, err := db.ChangeReportFrequency(ctx, f.shop.ID, sub.ID, stockbell.ReportMonthly); err != nil {
			t.Fatal(err)
		}

		d, err := db.FindReportDelivery(ctx, f.shop.ID, deliveryID)
		must(t, err)
		out, err := s.Compose(ctx, d)
		must(t, err)
		if want := "Weekly activity report for reports.myshopify.com: 6 Jan – 12 Jan 2025"; out.Subject != want {
			t.Errorf("subject %q, want %q", out.Subject, want)
		}
		if !strings.Contains(out.Text, "You receive this weekly report because") || !strings.Contains(out.Text, "From now on it is sent monthly.") {
			t.Errorf("text of last week's report after the change to monthly:\n%s", out.Text)
		}
	})
}

// weeklyActivityReport is the fixture's shop on Sunday 12 January, with
// a weekly activity report added then and a scheduler sending nothing.
func weeklyActivityReport(t *testing.T, db *store.DB) (*fixture, *stockbell.ReportSubscription, *report.Scheduler) {
	t.Helper()
	f := newFixture(t, db)
	f.clock.Add(local(12, 8, 0).Sub(f.clock.Now())) // Sunday 12 January
	sub := subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportWeekly)
	s := &report.Scheduler{Reports: f.reports, Schedule: db, Shops: db, Links: testLinks, Clock: f.clock, Logger: slog.New(slog.DiscardHandler)}
	return f, sub, s
}

// claimedPeriods lists the periods claimed for a scheduled report, in order.
func claimedPeriods(t *testing.T, db *store.DB, subscriptionID int64) [][2]string {
	t.Helper()
	var rows []struct {
		Start string `db:"period_start"`
		End   string `db:"period_end"`
	}
	must(t, db.DB.SelectContext(ctx, &rows, db.DB.Rebind(`SELECT period_start, period_end FROM report_deliveries
		WHERE subscription_id = ? ORDER BY id`), subscriptionID))
	out := [][2]string{}
	for _, r := range rows {
		out = append(out, [2]string{r.Start, r.End})
	}
	return out
}

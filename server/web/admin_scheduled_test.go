package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestScheduledReportFrequencyChanges: the Scheduled reports page changes
// how often a report is sent, in place: it keeps its id (so its
// unsubscribe link) and the day it was added. Changed to a frequency at
// which the address already receives that report, the two are one. A bad
// frequency is refused and another shop's report is not found.
func TestScheduledReportFrequencyChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		weekly := scheduleReport(t, db, w.shop.ID, "boss@example.com", stockbell.ReportWeekly)
		b := f.signIn(t, w.shop)
		page := b.get("/admin/reports/scheduled")
		change := fmt.Sprintf("/admin/reports/scheduled/%d/frequency", weekly.ID)
		if !strings.Contains(page.Body, `action="`+change+`"`) {
			t.Fatalf("the page offers no change of frequency:\n%.3000s", page.Body)
		}
		csrf := page.csrf(t)
		p := b.post(change, url.Values{"csrf_token": {csrf}, "frequency": {"monthly"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin/reports/scheduled?notice=report_frequency_changed" {
			t.Fatalf("changing the frequency: %d %s", p.Status, p.Header.Get("Location"))
		}
		wantOneReport(t, db, w.shop.ID, weekly, stockbell.ReportMonthly)
		if listed := b.get("/admin/reports/scheduled"); !strings.Contains(listed.Body, `<option value="monthly" selected>Monthly</option>`) {
			t.Fatalf("the report is not listed as monthly:\n%.3000s", listed.Body)
		}

		if p := b.post(change, url.Values{"csrf_token": {csrf}, "frequency": {"hourly"}}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an hourly report: %d, want 422", p.Status)
		}
		other := scheduleReport(t, db, w.other.ID, "x@other.example", stockbell.ReportDaily)
		wantStatus(t, b.post(fmt.Sprintf("/admin/reports/scheduled/%d/frequency", other.ID),
			url.Values{"csrf_token": {csrf}, "frequency": {"weekly"}}), http.StatusNotFound, "shop B's scheduled report")

		daily := scheduleReport(t, db, w.shop.ID, "boss@example.com", stockbell.ReportDaily)
		wantStatus(t, b.post(fmt.Sprintf("/admin/reports/scheduled/%d/frequency", daily.ID),
			url.Values{"csrf_token": {csrf}, "frequency": {"monthly"}}), http.StatusSeeOther, "a change to a frequency already received")
		wantOneReport(t, db, w.shop.ID, weekly, stockbell.ReportMonthly)
	})
}

// scheduleReport subscribes an address to the shop's activity report.
func scheduleReport(t *testing.T, db *store.DB, shopID int64, email string, freq stockbell.ReportFrequency) *stockbell.ReportSubscription {
	t.Helper()
	sub, err := db.CreateReportSubscription(context.Background(), stockbell.ReportSubscriptionCreate{ShopID: shopID, Email: email,
		Report: stockbell.ReportActivity, Frequency: freq})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// wantOneReport fails unless the shop's one scheduled report is want,
// added when it was, at the frequency.
func wantOneReport(t *testing.T, db *store.DB, shopID int64, want *stockbell.ReportSubscription, freq stockbell.ReportFrequency) {
	t.Helper()
	subs, err := db.FindReportSubscriptions(context.Background(), shopID)
	if err != nil || len(subs) != 1 || subs[0].ID != want.ID || subs[0].Frequency != freq || !subs[0].CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("scheduled reports %+v (%v), want report %d %s, added %v", subs, err, want.ID, freq, want.CreatedAt)
	}
}

// TestScheduledReportRemovedTwiceSaysSo: removing a scheduled report that
// is gone already (a double click, a second tab, its email's unsubscribe
// link meanwhile), or changing how often it is sent, does not answer that
// the admin has no such page: it says the report is no longer scheduled
// and leads back to Scheduled reports.
func TestScheduledReportRemovedTwiceSaysSo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		weekly := scheduleReport(t, db, w.shop.ID, "boss@example.com", stockbell.ReportWeekly)
		b := f.signIn(t, w.shop)
		form := url.Values{"csrf_token": {b.get("/admin/reports/scheduled").csrf(t)}, "frequency": {"daily"}}
		remove := fmt.Sprintf("/admin/reports/scheduled/%d/remove", weekly.ID)
		wantStatus(t, b.post(remove, form), http.StatusSeeOther, "removing the report")
		for _, path := range []string{remove, fmt.Sprintf("/admin/reports/scheduled/%d/frequency", weekly.ID)} {
			again := b.post(path, form)
			wantStatus(t, again, http.StatusNotFound, path+" after the report was removed")
			text := visibleText(again.Body)
			if !strings.Contains(text, "This report is no longer scheduled") || !strings.Contains(again.Body, `href="/admin/reports/scheduled"`) {
				t.Errorf("%s after the report was removed says:\n%s", path, text)
			}
		}
	})
}

// TestScheduledReportAddedByASignInNamingNoOne: a report added in a
// session whose sign-in named no one (an operator's link made without
// --email) records no one as its maker, where it recorded "you": the page
// then showed "by you" to every colleague, and the report's email told
// its recipient "because you asked for it". A report recorded so before
// reads as made by no one named.
func TestScheduledReportAddedByASignInNamingNoOne(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: w.shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		b := f.browser(t)
		b.useLink(token)
		page := b.get("/admin/reports/scheduled")
		form := url.Values{"email": {"boss@example.com"}, "report": {"activity"}, "frequency": {"weekly"}, "csrf_token": {page.csrf(t)}}
		wantStatus(t, b.post("/admin/reports/scheduled", form), http.StatusSeeOther, "a report scheduled")
		subs, err := db.FindReportSubscriptions(context.Background(), w.shop.ID)
		if err != nil || len(subs) != 1 || subs[0].CreatedBy != "" {
			t.Fatalf("scheduled reports %+v (%v), want one made by no one named", subs, err)
		}
		_, err = db.CreateReportSubscription(context.Background(), stockbell.ReportSubscriptionCreate{ShopID: w.shop.ID,
			Email: "old@example.com", Report: stockbell.ReportActivity, Frequency: stockbell.ReportDaily, CreatedBy: "you"})
		if err != nil {
			t.Fatal(err)
		}
		if listed := b.get("/admin/reports/scheduled"); strings.Contains(listed.Body, "by you") {
			t.Fatalf("the page says a report was added by you:\n%.3000s", listed.Body)
		}
	})
}

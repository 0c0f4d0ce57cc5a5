package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReportEmailLinksWork: a daily report email's link into the admin
// opens Reports on the email's day, showing the email's figures (signed
// out, the sign-in page); its
// unsubscribe link asks to confirm, then (a mail client's RFC 8058
// one-click POST, without a session) removes that one report. A link
// signed for this shop naming another shop's report removes nothing.
func TestReportEmailLinksWork(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		now := f.clock.Now().UTC()
		f.clock.Add(now.Truncate(24 * time.Hour).Add(12 * time.Hour).Sub(now)) // noon: the sign-ups fall on one day
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		sub := scheduleReport(t, db, w.shop.ID, "boss@example.com", stockbell.ReportDaily)
		others := scheduleReport(t, db, w.other.ID, "x@other.example", stockbell.ReportDaily)
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: f.clock}
		s := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testReportLinks, Clock: f.clock}
		day := f.clock.Now().UTC().Format("2006-01-02")
		email, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: day, PeriodEnd: day})
		if err != nil {
			t.Fatal(err)
		}
		links := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(email.HTML, -1)
		if len(links) != 2 {
			t.Fatalf("the email's links: %q", links)
		}
		admin, unsubscribe := html.UnescapeString(links[0][1]), html.UnescapeString(links[1][1])
		if want := "http://localhost/admin/reports?from=" + day + "&to=" + day; admin != want {
			t.Fatalf("the link into the admin is %s, want %s", admin, want)
		}
		signedOut := f.browser(t).get(strings.TrimPrefix(admin, "http://localhost"))
		if signedOut.Status != http.StatusUnauthorized || !strings.Contains(visibleText(signedOut.Body), "You need to sign in to see this page") {
			t.Errorf("the link opened signed out: %d\n%s", signedOut.Status, visibleText(signedOut.Body))
		}
		page := f.signIn(t, w.shop).get(strings.TrimPrefix(admin, "http://localhost"))
		wantStatus(t, page, http.StatusOK, "Reports from the email's link")
		wantSameFigures(t, email.Text, page.Body, day)

		token := strings.TrimPrefix(unsubscribe, "http://localhost")
		confirm := f.browser(t).get(token)
		if wantStatus(t, confirm, http.StatusOK, "the unsubscribe link"); !strings.Contains(visibleText(confirm.Body), "Stop emailing the daily") {
			t.Fatalf("the unsubscribe link does not ask to confirm:\n%s", visibleText(confirm.Body))
		}
		foreign := testReportLinks.UnsubscribeURL(&stockbell.ReportSubscription{ID: others.ID, ShopID: w.shop.ID})
		oneClick := url.Values{"List-Unsubscribe": {"One-Click"}}
		for _, link := range []string{foreign, unsubscribe} {
			wantStatus(t, f.browser(t).post(strings.TrimPrefix(link, "http://localhost"), oneClick), http.StatusOK, "a one-click unsubscribe")
		}
		if left, err := db.FindReportSubscriptions(ctx, w.shop.ID); err != nil || len(left) != 0 {
			t.Errorf("the shop's reports after unsubscribing: %+v (%v)", left, err)
		}
		wantOneReport(t, db, w.other.ID, others, stockbell.ReportDaily)
	})
}

// wantSameFigures fails unless each count of the email's text is the one
// the Reports page shows in its activity table, for the same day.
func wantSameFigures(t *testing.T, text, page, day string) {
	t.Helper()
	if !strings.Contains(text, day+" to "+day) || !strings.Contains(page, day+" to "+day) {
		t.Fatalf("the email and the page are not of the day %s:\n%s", day, text)
	}
	rows := map[string]string{"Subscribed": "Subscribed", "Restocked (notifications started)": "Restocked (notifications started)", "Batches of alerts": "Batches of alerts",
		"Notified": "Notified", "Skipped": "Skipped", "Clicked": "Clicked", "Unsubscribed": "Unsubscribed", "Converted": "Converted"}
	for label, row := range rows {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(label) + ` +(\d+)$`).FindStringSubmatch(text)
		cell := regexp.MustCompile(`<th scope="row">` + regexp.QuoteMeta(row) + `</th><td class="num">([\d,]+)</td>`).FindStringSubmatch(page)
		if line == nil || cell == nil || line[1] != cell[1] {
			t.Errorf("%s: the email says %v, the Reports page %v", label, line, cell)
		}
	}
	if !strings.Contains(text, fmt.Sprintf("  %-18s %d\n", "Subscribed", 2)) {
		t.Errorf("the email does not count the day's 2 sign-ups:\n%s", text)
	}
}

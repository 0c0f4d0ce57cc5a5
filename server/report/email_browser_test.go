package report_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// formulaTitle is a product title a spreadsheet would run as a formula.
const formulaTitle = `=HYPERLINK("https://evil.example","Sale")`

// TestReportEmailsReadInChromium: every kind of report email the admin
// offers (the activity daily, weekly and monthly, the waiting list),
// received by the SMTP server on Monday 3 February, is read in Chromium
// at a phone's and a desktop's width: its language, character set,
// viewport and title declared, no sideways scroll, contrast of at least
// 4.5:1, every link absolute (into the admin's Reports for the same days,
// and the report's own unsubscribe link), the figures those of the
// Reports page for the same days, the CSV RFC 4180 with formula cells
// guarded. The daily and weekly periods had no activity: their emails say
// so above the zeros.
func TestReportEmailsReadInChromium(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		addProduct(t, db, f.shop.ID, "p-evil", formulaTitle, map[string]string{"e-1": "9.00"}, nil)
		subscribe(t, db, f.shop.ID, findVariant(t, db, f.shop.ID, "e-1").ID, "@sum@example.com", "", "email",
			stockbell.SubscriptionQueued, local(20, 9, 0), true)
		subs := map[string]*stockbell.ReportSubscription{}
		for _, freq := range []stockbell.ReportFrequency{stockbell.ReportDaily, stockbell.ReportWeekly, stockbell.ReportMonthly} {
			subs[string(freq)] = subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, freq)
		}
		subs["waiting"] = subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportQueuedSubscribers, stockbell.ReportWeekly)
		sink := startSMTPSink(t)
		s := newScheduler(t, f, sink)
		replica := startReplica(t, db, s)
		f.clock.Add(time.Date(2025, 2, 3, 6, 0, 0, 0, newYork).Sub(f.clock.Now())) // Monday 3 February, early
		runSchedule(t, []*jobs.Queue{replica}, []*report.Scheduler{s})
		settle(t, db)
		got := sink.mails(t)
		if len(got) != 4 {
			t.Fatalf("%d emails, want the daily, weekly and monthly activity and the waiting list", len(got))
		}
		ctx := browsertest.NewWithin(t, 3*time.Minute)
		for _, m := range got {
			sub, days := emailedReport(t, m, subs)
			figures, links := readReportEmail(t, ctx, m)
			wantLinks(t, m, links, sub, days)
			if sub.Report == stockbell.ReportActivity {
				wantReportsPageFigures(t, f, m, figures, days)
			} else {
				wantWaitingListCSV(t, m)
			}
		}
	})
}

// emailedReport is the subscription and period an email is the report of,
// found by its subject.
func emailedReport(t *testing.T, m sentMail, subs map[string]*stockbell.ReportSubscription) (*stockbell.ReportSubscription, *report.Days) {
	t.Helper()
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	if strings.HasPrefix(m.Subject, "Weekly waiting list report for reports.myshopify.com, as of ") {
		return subs["waiting"], nil
	}
	switch m.Subject {
	case "Daily activity report for reports.myshopify.com: 2 Feb 2025":
		return subs["daily"], &report.Days{From: day(2, 2), To: day(2, 2)}
	case "Weekly activity report for reports.myshopify.com: 27 Jan – 2 Feb 2025":
		return subs["weekly"], &report.Days{From: day(1, 27), To: day(2, 2)}
	case "Monthly activity report for reports.myshopify.com: 1 Jan – 31 Jan 2025":
		return subs["monthly"], &report.Days{From: day(1, 1), To: day(1, 31)}
	}
	t.Fatalf("an email nobody asked for: %q", m.Subject)
	return nil, nil
}

// readReportEmail opens an email's HTML part in Chromium at 360 and 1280
// px, fails for what its reader could not read, and returns the figures of
// its table (label → value, as shown) and the links as written.
func readReportEmail(t *testing.T, ctx context.Context, m sentMail) (map[string]string, []string) {
	t.Helper()
	if m.HTML == "" {
		t.Fatalf("%s: no HTML part", m.Subject)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no charset: a mail client has only the email's own
		w.Write([]byte(m.HTML))
	}))
	t.Cleanup(srv.Close)
	for _, width := range []int64{360, 1280} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(srv.URL))
		browsertest.WaitFor(t, ctx, `document.readyState == "complete"`)
		browsertest.Screenshot(t, ctx, fmt.Sprintf("report-%s-%dpx", strings.ToLower(strings.Fields(m.Subject)[0]+"-"+strings.Fields(m.Subject)[1]), width))
		if wide := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth`); wide {
			t.Errorf("%s scrolls sideways at %d px", m.Subject, width)
		}
		if low := browsertest.Eval[[]string](t, ctx, browsertest.LowContrastText); len(low) > 0 {
			t.Errorf("%s at %d px: text below 4.5:1 contrast: %q", m.Subject, width, low)
		}
		small := browsertest.Eval[[]string](t, ctx, `[...document.body.querySelectorAll("*")].filter(e => e.childNodes.length &&
			[...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && parseFloat(getComputedStyle(e).fontSize) < 14).map(e => e.textContent.trim())`)
		if len(small) > 0 {
			t.Errorf("%s at %d px: text smaller than 14 px: %q", m.Subject, width, small)
		}
	}
	head := browsertest.Eval[[]string](t, ctx, `[document.documentElement.lang, document.characterSet, document.title,
		(document.querySelector('meta[name=viewport]') || {}).content || ""]`)
	if want := []string{"en", "UTF-8", m.Subject, "width=device-width, initial-scale=1"}; !slices.Equal(head, want) {
		t.Errorf("%s declares lang, charset, title and viewport %q, want %q", m.Subject, head, want)
	}
	figures := browsertest.Eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll("table tr")]
		.map(tr => [tr.querySelector("th").textContent.trim(), tr.querySelector("td").textContent.trim()]))`)
	links := browsertest.Eval[[]string](t, ctx, `[...document.links].map(a => a.getAttribute("href"))`)
	return figures, links
}

// wantLinks fails unless the email links, in its HTML and its text, to
// the admin's Reports for its days (the page alone for the waiting list)
// and to its own unsubscribe link, each absolute, and nowhere else.
func wantLinks(t *testing.T, m sentMail, links []string, sub *stockbell.ReportSubscription, days *report.Days) {
	t.Helper()
	admin := "https://bell.test/admin/reports"
	if days != nil {
		admin += "?from=" + days.From.Format(time.DateOnly) + "&to=" + days.To.Format(time.DateOnly)
	}
	want := []string{admin, testLinks.UnsubscribeURL(sub)}
	if !slices.Equal(links, want) {
		t.Errorf("%s links to %q, want %q", m.Subject, links, want)
	}
	for _, link := range want {
		if !strings.Contains(m.Text, link) {
			t.Errorf("%s: the text lacks the link %s:\n%s", m.Subject, link, m.Text)
		}
	}
}

// wantReportsPageFigures fails unless the email's figures, in its HTML
// table and its text, are those the Reports page computes for its days;
// an email of days without activity says so.
func wantReportsPageFigures(t *testing.T, f *fixture, m sentMail, figures map[string]string, days *report.Days) {
	t.Helper()
	q := report.ActivityQuery{Days: *days}
	activity, err := f.reports.Activity(ctx, f.shop.ID, q)
	must(t, err)
	conversions, err := f.reports.Conversions(ctx, f.shop.ID, q)
	must(t, err)
	tt := activity.Totals
	want := map[string]string{}
	for label, n := range map[string]int{"Subscribed": tt.Subscribed, "Restocked (notifications started)": tt.Restocked, "Batches of alerts": tt.Batches,
		"Shoppers in stock-sized batches": tt.BatchSized, "Batches to everyone waiting": tt.EveryoneBatches,
		"Notified": tt.Notified, "Skipped": tt.Skipped, "Clicked": tt.Clicked, "Unsubscribed": tt.Unsubscribed, "Converted": tt.Converted} {
		want[label] = fmt.Sprint(n)
	}
	for _, skip := range activity.Skips {
		want["skipped because "+stockbell.SkipReason(skip.Reason).Words()] = fmt.Sprint(skip.Count)
	}
	if len(conversions.Revenue) > 0 {
		// The Reports page writes the revenue with this function: one
		// figure, each currency's sum in its own currency.
		want["Recovered revenue"] = moneytext.MerchantTotals(conversions.Revenue)
	}
	if days.From.Month() == time.January && days.To.Month() == time.January && figures["Recovered revenue"] != "€50.00" {
		t.Errorf("%s shows the recovered revenue %q, want ada's two shirts, €50.00", m.Subject, figures["Recovered revenue"])
	}
	if fmt.Sprint(figures) != fmt.Sprint(want) {
		t.Errorf("%s shows\n%v\nthe Reports page\n%v", m.Subject, figures, want)
	}
	for label, value := range want {
		if line := fmt.Sprintf("  %-18s %s\n", label, value); !strings.Contains(m.Text, line) && !strings.Contains(m.Text, fmt.Sprintf("  %s ×%s\n", label, value)) {
			t.Errorf("%s: the text lacks %q:\n%s", m.Subject, line, m.Text)
		}
	}
	empty := strings.Contains(m.Text, "Nothing happened in these days") && strings.Contains(m.HTML, "Nothing happened in these days")
	if quiet := reflect.DeepEqual(tt, report.ActivityCounts{Revenue: tt.Revenue}) && len(tt.Revenue) == 0; empty != quiet {
		t.Errorf("%s (nothing happened: %v) says so: %v\n%s", m.Subject, quiet, empty, m.Text)
	}
}

// wantWaitingListCSV fails unless the waiting list's attachment is RFC
// 4180 (CRLF lines, quoted cells, a byte order mark first) and the cells a
// spreadsheet would run as formulas are written as text.
func wantWaitingListCSV(t *testing.T, m sentMail) {
	t.Helper()
	file := m.Attachments["stockbell-queued_subscribers-2025-01-27.csv"]
	body, bom := strings.CutPrefix(file, report.BOM)
	if !bom || strings.Count(body, "\r\n") != strings.Count(body, "\n") {
		t.Fatalf("the waiting list's CSV (byte order mark %v) has lines not ended by CRLF:\n%q", bom, file)
	}
	if !strings.Contains(body, `"'=HYPERLINK(""https://evil.example"",""Sale"")"`) {
		t.Errorf("the formula title is not quoted as text:\n%s", body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	must(t, err)
	found := false
	for _, row := range rows[1:] {
		if row[0] == "'"+formulaTitle {
			found = row[5] == "'@sum@example.com"
		}
	}
	if !found {
		t.Errorf("the formula row's title and contact are not guarded: %q", rows)
	}
}

package report_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var testLinks = &report.Links{Key: []byte("0123456789abcdef0123456789abcdef"), PublicURL: "https://bell.test"}

// newScheduler is one replica's scheduler, sending through its own SMTP
// sender to the sink.
func newScheduler(t *testing.T, f *fixture, sink *smtpSink) *report.Scheduler {
	t.Helper()
	sender, err := delivery.NewSMTPSender(sink.config(), "https://bell.test", f.clock)
	must(t, err)
	t.Cleanup(func() { sender.Close() })
	return &report.Scheduler{Reports: f.reports, Schedule: f.db, Shops: f.db, Sender: sender, Links: testLinks, Clock: f.clock,
		Logger: slog.New(slog.DiscardHandler)}
}

// startReplica runs the scheduler's handlers on a River client of its own
// over the shared database, as server/wire.go registers them.
func startReplica(t *testing.T, db *store.DB, s *report.Scheduler) *jobs.Queue {
	t.Helper()
	workers := jobs.NewWorkers()
	jobs.Handle(workers, s.HandleScheduled, 0)
	jobs.Handle(workers, s.HandleSend, 0)
	queue, err := jobs.New(ctx, jobs.Config{Database: jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres},
		Workers: workers, Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	must(t, queue.Start(ctx))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		queue.Stop(stop)
	})
	return queue
}

// runSchedule has every replica run the periodic job at once, twice: as a
// job on its River client and directly.
func runSchedule(t *testing.T, replicas []*jobs.Queue, schedulers []*report.Scheduler) {
	t.Helper()
	var wg sync.WaitGroup
	for i, q := range replicas {
		must(t, q.Insert(ctx, stockbell.ScheduledReportsJob{}, nil))
		wg.Go(func() { must(t, schedulers[i].HandleScheduled(ctx, stockbell.ScheduledReportsJob{})) })
	}
	wg.Wait()
}

// settle waits until no report job is left to run.
func settle(t *testing.T, db *store.DB) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var left int
		must(t, db.DB.GetContext(ctx, &left, db.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind IN (?, ?) AND state NOT IN ('completed', 'discarded', 'cancelled')`),
			stockbell.ScheduledReportsJob{}.Kind(), stockbell.SendReportJob{}.Kind()))
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d report jobs still to run after 90 s", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func subscribeReport(t *testing.T, db *store.DB, shopID int64, email string, kind stockbell.ReportKind, freq stockbell.ReportFrequency) *stockbell.ReportSubscription {
	t.Helper()
	sub, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: shopID, Email: email, Report: kind, Frequency: freq,
		CreatedBy: "Ada Owner"})
	must(t, err)
	return sub
}

// TestScheduledReportsExactlyOnePerPeriodWithThreeReplicas: three River
// clients on one database run the periodic job together; each subscription
// gets one email per ended period through the SMTP server, with its CSV.
func TestScheduledReportsExactlyOnePerPeriodWithThreeReplicas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.clock.Add(local(12, 8, 0).Sub(f.clock.Now()))
		daily := subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
		weekly := subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportQueuedSubscribers, stockbell.ReportWeekly)
		subscribeReport(t, db, f.shop.ID, "boss@example.com", stockbell.ReportActivity, stockbell.ReportMonthly) // December ended before
		sink := startSMTPSink(t)
		var schedulers []*report.Scheduler
		var replicas []*jobs.Queue
		for range 3 {
			s := newScheduler(t, f, sink)
			schedulers, replicas = append(schedulers, s), append(replicas, startReplica(t, db, s))
		}
		f.clock.Add(local(13, 6, 0).Sub(f.clock.Now())) // Monday 13 January, early
		runSchedule(t, replicas, schedulers)
		settle(t, db)
		got := sink.mails(t)
		slices.SortFunc(got, func(a, b sentMail) int { return strings.Compare(a.Subject, b.Subject) })
		if len(got) != 2 {
			t.Fatalf("%d emails, want one daily and one weekly: %+v", len(got), got)
		}
		checkDailyActivity(t, f, got[0], daily)
		checkWeeklyQueue(t, f, got[1], weekly)

		// A day later: only the daily report has a new period.
		f.clock.Add(24 * time.Hour)
		runSchedule(t, replicas, schedulers)
		settle(t, db)
		got = sink.mails(t)
		if len(got) != 3 || got[2].Subject != "Daily activity report for reports.myshopify.com: 13 Jan 2025" {
			t.Fatalf("after a day: %d emails, last %q", len(got), got[len(got)-1].Subject)
		}
		// Removed: no more reports.
		must(t, db.DeleteReportSubscription(ctx, f.shop.ID, daily.ID))
		f.clock.Add(24 * time.Hour)
		runSchedule(t, replicas, schedulers)
		settle(t, db)
		if n := len(sink.mails(t)); n != 3 {
			t.Fatalf("%d emails after the daily report was removed, want 3", n)
		}
	})
}

func checkDailyActivity(t *testing.T, f *fixture, m sentMail, sub *stockbell.ReportSubscription) {
	t.Helper()
	link := testLinks.UnsubscribeURL(sub)
	if m.To != "owner@example.com" || m.Subject != "Daily activity report for reports.myshopify.com: 12 Jan 2025" ||
		m.Unsubscribe != "<"+link+">" || !strings.Contains(m.Text, link) {
		t.Fatalf("daily email: to %q subject %q unsubscribe %q\n%s", m.To, m.Subject, m.Unsubscribe, m.Text)
	}
	for _, line := range []string{"2025-01-12 to 2025-01-12 (America/New_York)", "Clicked            1", "Converted          1",
		"Recovered revenue  €50.00", "Unsubscribed       1", "Subscribed         0"} {
		if !strings.Contains(m.Text, line) {
			t.Errorf("daily summary lacks %q:\n%s", line, m.Text)
		}
	}
	file := m.Attachments["stockbell-activity-2025-01-12.csv"]
	rows := readCSV(t, file, true)
	kinds := []string{}
	for _, r := range rows[1:] {
		kinds = append(kinds, r[2])
	}
	if len(m.Attachments) != 1 || !slices.Equal(kinds, []string{"clicked", "converted", "unsubscribed"}) {
		t.Fatalf("daily attachment %v: kinds %v", keys(m.Attachments), kinds)
	}
}

func checkWeeklyQueue(t *testing.T, f *fixture, m sentMail, sub *stockbell.ReportSubscription) {
	t.Helper()
	if !strings.HasPrefix(m.Subject, "Weekly waiting list report for reports.myshopify.com, as of 13 Jan 2025, ") ||
		m.Unsubscribe != "<"+testLinks.UnsubscribeURL(sub)+">" || !strings.Contains(m.Text, "shoppers are waiting for 2 variants") ||
		!strings.Contains(m.Text, "Mug: 2 waiting, stock 0, about 0.2 units") {
		t.Fatalf("weekly email: subject %q\n%s", m.Subject, m.Text)
	}
	rows := readCSV(t, m.Attachments["stockbell-queued_subscribers-2025-01-06.csv"], true)
	if len(rows) != 4 || rows[1][5] != "dan@example.com" || rows[3][5] != "cat@example.com" || rows[3][9] != "2" {
		t.Fatalf("weekly attachment rows %q", rows)
	}
}

// TestWaitingListEmailCountsVariants: the waiting list's email says one
// variant in the singular, and says plainly when nobody is waiting rather
// than introducing an empty list.
func TestWaitingListEmailCountsVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "waiting.myshopify.com")
		addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
		mug := findVariant(t, db, shop.ID, "m-1")
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		scheduler := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testLinks, Clock: clock}
		sub := subscribeReport(t, db, shop.ID, "owner@example.com", stockbell.ReportQueuedSubscribers, stockbell.ReportWeekly)
		delivery := &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2024-12-23", PeriodEnd: "2024-12-29"}
		compose := func() string {
			t.Helper()
			out, err := scheduler.Compose(ctx, delivery)
			must(t, err)
			return out.Text
		}
		if text := compose(); !strings.Contains(text, "nobody is waiting for a restock.") || strings.Contains(text, "most wanted") {
			t.Errorf("with nobody waiting:\n%s", text)
		}
		subscribe(t, db, shop.ID, mug.ID, "ann@example.com", "", "email", stockbell.SubscriptionQueued, local(1, 9, 0), true)
		if text := compose(); !strings.Contains(text, "shoppers are waiting for 1 variant. The most wanted:\n\n  Mug: 1 waiting") {
			t.Errorf("with one variant waited for:\n%s", text)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLastPeriod(t *testing.T) {
	now := time.Date(2025, 3, 31, 3, 30, 0, 0, time.UTC) // Monday 31 March in UTC, still Sunday 30 in New York
	cases := []struct {
		freq     stockbell.ReportFrequency
		loc      *time.Location
		from, to string
		at       time.Time
	}{
		{stockbell.ReportDaily, time.UTC, "2025-03-30", "2025-03-30", time.Time{}},
		{stockbell.ReportDaily, newYork, "2025-03-29", "2025-03-29", time.Time{}},
		{stockbell.ReportWeekly, time.UTC, "2025-03-24", "2025-03-30", time.Time{}},
		{stockbell.ReportWeekly, newYork, "2025-03-17", "2025-03-23", time.Time{}},
		{stockbell.ReportMonthly, time.UTC, "2025-02-01", "2025-02-28", time.Time{}},
		{stockbell.ReportMonthly, newYork, "2025-02-01", "2025-02-28", time.Date(2025, 4, 1, 3, 30, 0, 0, time.UTC)},                         // still March there
		{stockbell.ReportMonthly, mustZone("Pacific/Kiritimati"), "2025-03-01", "2025-03-31", time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC)}, // UTC+14: 1 April
	}
	for _, c := range cases {
		at := now
		if !c.at.IsZero() {
			at = c.at
		}
		from, to := report.LastPeriod(c.freq, at, c.loc)
		if got := fmt.Sprint(from.Format(time.DateOnly), " ", to.Format(time.DateOnly)); got != c.from+" "+c.to {
			t.Errorf("%s in %s: %s, want %s %s", c.freq, c.loc, got, c.from, c.to)
		}
	}
}

// TestUnsubscribeLinksAfterRotation: a link signed with the key before a
// rotation still opens when that key is among the previous ones, and only
// then; new links are signed with the current key.
func TestUnsubscribeLinksAfterRotation(t *testing.T) {
	sub := &stockbell.ReportSubscription{ID: 12, ShopID: 3}
	token := strings.TrimPrefix(testLinks.UnsubscribeURL(sub), "https://bell.test"+report.UnsubscribePath)
	newKey := []byte("the key after the rotation, 32 b!")
	rotated := &report.Links{Key: newKey, PreviousKeys: [][]byte{testLinks.Key}}
	if shop, id, err := rotated.ParseUnsubscribeToken(token); err != nil || shop != 3 || id != 12 {
		t.Fatalf("a link of the previous key: shop %d id %d err %v", shop, id, err)
	}
	if rotated.UnsubscribeURL(sub) == testLinks.UnsubscribeURL(sub) {
		t.Error("a new link is signed with the previous key")
	}
	if _, _, err := (&report.Links{Key: newKey}).ParseUnsubscribeToken(token); stockbell.ErrorCode(err) != stockbell.EINVALID {
		t.Errorf("a link of the previous key is accepted without it: %v", err)
	}
}

func TestUnsubscribeLinks(t *testing.T) {
	sub := &stockbell.ReportSubscription{ID: 12, ShopID: 3}
	link := testLinks.UnsubscribeURL(sub)
	token := strings.TrimPrefix(link, "https://bell.test"+report.UnsubscribePath)
	shop, id, err := testLinks.ParseUnsubscribeToken(token)
	if err != nil || shop != 3 || id != 12 {
		t.Fatalf("token %q: shop %d id %d err %v", token, shop, id, err)
	}
	parts := strings.Split(token, ".")
	other := &report.Links{Key: []byte("another key of thirty-two bytes!")}
	for _, bad := range []string{"", parts[0] + ".13." + parts[2], "03." + parts[1] + "." + parts[2], token + "x",
		strings.Replace(token, ".", "..", 1), strings.TrimPrefix(other.UnsubscribeURL(sub), report.UnsubscribePath)} {
		if _, _, err := testLinks.ParseUnsubscribeToken(bad); stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// TestReportEmailsOfAShopWhoseOrdersNeverArrive: the report emails of a
// Magento shop, whose orders never reach Stockbell, say so: the waiting
// list's, that its expected units rest on the default rate for that
// reason (not until the shop has history); the activity's, that its
// conversions are not counted. A Shopify shop's emails beside it keep
// their words.
func TestReportEmailsOfAShopWhoseOrdersNeverArrive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shopify, clock := newShop(t, db, "waiting.myshopify.com")
		magento, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformMagento, Domain: "waiting.example.com",
			Name: "waiting.example.com", Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }})
		must(t, err)
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		scheduler := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testLinks, Clock: clock}
		const noOrders = "Stockbell receives no orders from Magento shops: conversions and recovered revenue are not counted."
		for shop, want := range map[*stockbell.Shop]string{
			magento: "Expected units assume 10.0% of those waiting buy (the default rate: your shop's orders do not reach Stockbell).",
			shopify: "Expected units assume 10.0% of those waiting buy (the default rate until your shop has history).",
		} {
			addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
			subscribe(t, db, shop.ID, findVariant(t, db, shop.ID, "m-1").ID, "ann@example.com", "", "email", stockbell.SubscriptionQueued, local(1, 9, 0), true)
			for _, kind := range []stockbell.ReportKind{stockbell.ReportQueuedSubscribers, stockbell.ReportActivity} {
				sub := subscribeReport(t, db, shop.ID, "owner@example.com", kind, stockbell.ReportWeekly)
				out, err := scheduler.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2024-12-23", PeriodEnd: "2024-12-29"})
				must(t, err)
				if kind == stockbell.ReportQueuedSubscribers && !strings.Contains(out.Text, want) {
					t.Errorf("the %s shop's waiting list email lacks %q:\n%s", shop.Platform, want, out.Text)
				}
				if kind == stockbell.ReportActivity && strings.Contains(out.Text, noOrders) != (shop == magento) {
					t.Errorf("the %s shop's activity email says %q: %v\n%s", shop.Platform, noOrders, shop == magento, out.Text)
				}
			}
		}
	})
}

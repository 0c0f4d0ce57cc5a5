package report_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReportRevenueIsTheReportsPages: sam's order, placed at 23:50 on 12
// January in New York, reaches Stockbell ten minutes later, on the 13th.
// The Reports page counts its revenue on the 12th (the day the order was
// placed): so does the daily report of the 12th, and that of the 13th
// counts none.
func TestReportRevenueIsTheReportsPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, s := weeklyActivityReport(t, db)
		f.clock.Add(local(13, 0, 0).Sub(f.clock.Now()))
		price, _ := stockbell.ParseAmount("25.00")
		must(t, db.RecordOrder(ctx, stockbell.Order{ShopID: f.shop.ID, PlatformID: "1004", Phone: "+15555550100", Currency: "EUR",
			CreatedAt: local(12, 23, 50), Total: price.Times(2), Lines: []stockbell.OrderLine{{VariantPlatformID: "s-1", Quantity: 2, Price: price}}}))
		sub := subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
		for day, want := range map[string]string{"2025-01-12": "€100.00", "2025-01-13": ""} {
			out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: day, PeriodEnd: day})
			must(t, err)
			line := "  Recovered revenue  " + want + "\n"
			if has := strings.Contains(out.Text, "Recovered revenue"); has != (want != "") || want != "" && !strings.Contains(out.Text, line) {
				t.Errorf("the report of %s, whose orders' revenue on the Reports page is %q:\n%s", day, want, out.Text)
			}
		}
	})
}

// TestReportEmailListsEachCurrencysRevenue: orders in two currencies on
// one day give the report email one "Recovered revenue" figure listing
// each currency's sum, as merchants write amounts ("€50.00 and $50.00"),
// never one sum of both, in its text and its HTML; another shop's report
// of that day recovered nothing.
func TestReportEmailListsEachCurrencysRevenue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, s := weeklyActivityReport(t, db)
		f.clock.Add(local(13, 0, 0).Sub(f.clock.Now()))
		price, _ := stockbell.ParseAmount("25.00")
		must(t, db.RecordOrder(ctx, stockbell.Order{ShopID: f.shop.ID, PlatformID: "1004", Phone: "+15555550100", Currency: "USD",
			CreatedAt: local(12, 23, 50), Total: price.Times(2), Lines: []stockbell.OrderLine{{VariantPlatformID: "s-1", Quantity: 2, Price: price}}}))
		other, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "other.myshopify.com",
			Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }, Scopes: "read_products,read_orders"})
		must(t, err)
		for shop, want := range map[int64]string{f.shop.ID: "€50.00 and $50.00", other.ID: ""} {
			sub := subscribeReport(t, db, shop, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
			out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2025-01-12", PeriodEnd: "2025-01-12"})
			must(t, err)
			if want == "" {
				if strings.Contains(out.Text+out.HTML, "Recovered revenue") {
					t.Errorf("another shop's report shows revenue:\n%s", out.Text)
				}
				continue
			}
			if n := strings.Count(out.Text, "Recovered revenue"); n != 1 || !strings.Contains(out.Text, "  Recovered revenue  "+want+"\n") {
				t.Errorf("the text has %d revenue lines, want one of %q:\n%s", n, want, out.Text)
			}
			if n := strings.Count(out.HTML, "Recovered revenue"); n != 1 || !strings.Contains(out.HTML, ">"+want+"</td>") {
				t.Errorf("the HTML has %d revenue figures, want one of %q:\n%s", n, want, out.HTML)
			}
		}
	})
}

// TestNoReportForAShopUninstalledAfterItsClaim: a report claimed before
// its shop uninstalled Stockbell is not sent once it has (nor retried),
// and no later period is claimed.
func TestNoReportForAShopUninstalledAfterItsClaim(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
		sink := startSMTPSink(t)
		s := newScheduler(t, f, sink)
		f.clock.Add(local(21, 6, 0).Sub(f.clock.Now()))
		must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		must(t, db.UninstallShop(ctx, f.shop.ID))
		var deliveryID int64
		must(t, db.DB.GetContext(ctx, &deliveryID, db.DB.Rebind(`SELECT id FROM report_deliveries`)))
		must(t, s.HandleSend(ctx, stockbell.SendReportJob{ShopID: f.shop.ID, DeliveryID: deliveryID}))
		f.clock.Add(24 * time.Hour)
		must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		if n := len(sink.Messages()); n != 0 {
			t.Fatalf("%d report emails for an uninstalled shop", n)
		}
		if periods := claimedPeriods(t, db, deliverySubscription(t, db, deliveryID)); len(periods) != 1 {
			t.Fatalf("periods claimed after the uninstall: %v", periods)
		}
	})
}

func deliverySubscription(t *testing.T, db *store.DB, deliveryID int64) int64 {
	t.Helper()
	var id int64
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT subscription_id FROM report_deliveries WHERE id = ?`), deliveryID))
	return id
}

// TestNothingSentTwiceAcrossARestart: a server sends the week's report and
// stops; the server started after it runs the periodic job in the same
// week and sends nothing more, and the next week's report once.
func TestNothingSentTwiceAcrossARestart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportWeekly)
		sink := startSMTPSink(t)
		f.clock.Add(local(27, 0, 20).Sub(f.clock.Now())) // Monday 27 January
		before := newScheduler(t, f, sink)
		queue := startReplica(t, db, before)
		runSchedule(t, []*jobs.Queue{queue}, []*report.Scheduler{before})
		settle(t, db)
		queue.Stop(ctx)

		after := newScheduler(t, f, sink)
		restarted := startReplica(t, db, after)
		for _, at := range []time.Time{local(27, 0, 35), local(29, 12, 0), time.Date(2025, 2, 3, 0, 5, 0, 0, newYork)} {
			f.clock.Add(at.Sub(f.clock.Now()))
			runSchedule(t, []*jobs.Queue{restarted}, []*report.Scheduler{after})
			settle(t, db)
		}
		var subjects []string
		for _, m := range sink.mails(t) {
			subjects = append(subjects, m.Subject)
		}
		want := "[Weekly activity report for reports.myshopify.com: 20 Jan – 26 Jan 2025 Weekly activity report for reports.myshopify.com: 27 Jan – 2 Feb 2025]"
		if got := strings.Join([]string{"[", strings.Join(subjects, " "), "]"}, ""); got != want {
			t.Fatalf("emails across the restart %s, want %s", got, want)
		}
	})
}

// TestReportDaysAcrossDSTAndFarFromUTC: in London the clocks go forward on
// Sunday 30 March 2025 (a 23-hour day); on Kiritimati (UTC+14) a day ends
// while it is still the morning before in UTC. Each daily report is
// claimed once the shop's day has ended there, not before, and counts the
// sign-ups of that local day, as the Reports page does.
func TestReportDaysAcrossDSTAndFarFromUTC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, zone := range []string{"Europe/London", "Pacific/Kiritimati"} {
			loc := mustZone(zone)
			at := func(day, hour, minute int) time.Time {
				return time.Date(2025, time.March, day, hour, minute, 0, 0, loc)
			}
			shop, clock := newShop(t, db, strings.ToLower(strings.ReplaceAll(zone, "/", "-"))+".myshopify.com")
			_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{TimeZone: &zone})
			must(t, err)
			addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
			mug := findVariant(t, db, shop.ID, "m-1")
			for i, when := range []time.Time{at(29, 23, 59), at(30, 0, 30), at(30, 3, 0), at(30, 23, 30), at(31, 0, 0)} {
				subscribe(t, db, shop.ID, mug.ID, strings.Repeat("a", i+1)+"@example.com", "", "email", stockbell.SubscriptionQueued, when, true)
			}
			clock.Add(at(20, 12, 0).Sub(clock.Now()))
			sub := subscribeReport(t, db, shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
			reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
			s := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testLinks, Clock: clock, Logger: slog.New(slog.DiscardHandler)}
			for _, now := range []time.Time{at(30, 23, 59), at(31, 0, 1)} {
				clock.Add(now.Sub(clock.Now()))
				must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
			}
			want := [][2]string{{"2025-03-29", "2025-03-29"}, {"2025-03-30", "2025-03-30"}}
			if got := claimedPeriods(t, db, sub.ID); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("%s: periods claimed %v, want %v", zone, got, want)
			}
			out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2025-03-30", PeriodEnd: "2025-03-30"})
			must(t, err)
			if !strings.Contains(out.Text, "2025-03-30 to 2025-03-30 ("+zone+")") || !strings.Contains(out.Text, "  Subscribed         3\n") {
				t.Errorf("%s: the report of 30 March, whose day had 3 sign-ups:\n%s", zone, out.Text)
			}
		}
	})
}

// TestPeriodAcrossNewYearNamesBothYears: a week running from December into
// January names the year of each of its ends in the subject, so that it
// does not read as twelve months long or a year off.
func TestPeriodAcrossNewYearNamesBothYears(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, sub, s := weeklyActivityReport(t, db)
		for period, want := range map[[2]string]string{
			{"2025-12-29", "2026-01-04"}: "Weekly activity report for reports.myshopify.com: 29 Dec 2025 – 4 Jan 2026",
			{"2025-01-06", "2025-01-12"}: "Weekly activity report for reports.myshopify.com: 6 Jan – 12 Jan 2025",
		} {
			out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: period[0], PeriodEnd: period[1]})
			must(t, err)
			if out.Subject != want {
				t.Errorf("%v: subject %q, want %q", period, out.Subject, want)
			}
		}
	})
}

// TestReportResentAfterACrashKeepsItsMessageID: a server sent a report
// and stopped before marking it sent; the server started after it sends it
// again with the same Message-ID (so the mailbox shows it once), marks it
// sent, and sends it no more.
func TestReportResentAfterACrashKeepsItsMessageID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		subscribeReport(t, db, f.shop.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportDaily)
		sink := startSMTPSink(t)
		before := newScheduler(t, f, sink)
		f.clock.Add(local(21, 6, 0).Sub(f.clock.Now()))
		must(t, before.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		var deliveryID int64
		must(t, db.DB.GetContext(ctx, &deliveryID, db.DB.Rebind(`SELECT id FROM report_deliveries`)))
		d, err := db.FindReportDelivery(ctx, f.shop.ID, deliveryID)
		must(t, err)
		out, err := before.Compose(ctx, d)
		must(t, err)
		_, err = before.Sender.Send(ctx, *out) // sent, then the crash: never marked
		must(t, err)

		after := newScheduler(t, f, sink)
		job := stockbell.SendReportJob{ShopID: f.shop.ID, DeliveryID: deliveryID}
		must(t, after.HandleSend(ctx, job))
		must(t, after.HandleSend(ctx, job))
		got := sink.mails(t)
		if len(got) != 2 || got[0].MessageID == "" || got[0].MessageID != got[1].MessageID {
			t.Fatalf("%d emails, Message-IDs %q, want the report twice with one Message-ID", len(got), messageIDs(got))
		}
	})
}

func messageIDs(mails []sentMail) []string {
	var ids []string
	for _, m := range mails {
		ids = append(ids, m.MessageID)
	}
	return ids
}

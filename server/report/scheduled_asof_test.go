package report_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestWaitingListEmailSaysWhenItsFiguresAreFrom: the waiting list's
// figures are those of when the email is written, not of the period it
// was claimed for, so its subject and its text say "as of" that time in
// the shop's time zone (New York: 01:30 on 13 January while UTC is at
// 06:30), and its subject names no period.
func TestWaitingListEmailSaysWhenItsFiguresAreFrom(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "waiting.myshopify.com")
		addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
		mug := findVariant(t, db, shop.ID, "m-1")
		subscribe(t, db, shop.ID, mug.ID, "ann@example.com", "", "email", stockbell.SubscriptionQueued, local(1, 9, 0), true)
		clock.Add(local(13, 1, 30).Sub(clock.Now()))
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		scheduler := &report.Scheduler{Reports: reports, Schedule: db, Shops: db, Links: testLinks, Clock: clock}
		sub := subscribeReport(t, db, shop.ID, "owner@example.com", stockbell.ReportQueuedSubscribers, stockbell.ReportWeekly)
		out, err := scheduler.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2025-01-06", PeriodEnd: "2025-01-12"})
		must(t, err)
		if clock.Now().UTC().Hour() != 6 {
			t.Fatalf("the clock is at %v", clock.Now().UTC())
		}
		asOf := "as of 13 Jan 2025, 01:30 (America/New_York)"
		if want := "Weekly waiting list report for waiting.myshopify.com, " + asOf; out.Subject != want {
			t.Errorf("subject %q, want %q", out.Subject, want)
		}
		intro := "As of 13 Jan 2025, 01:30 (America/New_York), shoppers are waiting for 1 variant. The most wanted:"
		if !strings.Contains(out.Text, intro) || !strings.Contains(out.HTML, intro) {
			t.Errorf("the email does not say %q:\n%s", intro, out.Text)
		}
		if strings.Contains(out.Subject, "6 Jan") || strings.Contains(out.Text, "12 Jan") {
			t.Errorf("the waiting list names the claimed period as if its figures were of it:\n%s\n%s", out.Subject, out.Text)
		}
	})
}

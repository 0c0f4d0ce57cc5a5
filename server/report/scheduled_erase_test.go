package report_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// eraseAfterListing is the store's schedule where a shop is uninstalled
// and erased once the periodic job listed the scheduled reports, before it
// claims the first: an erase the job meets halfway.
type eraseAfterListing struct {
	*store.DB
	t      *testing.T
	shopID int64
}

func (s eraseAfterListing) EachReportSubscription(ctx context.Context, fn func(*stockbell.ReportSubscription) error) error {
	erased := false
	return s.DB.EachReportSubscription(ctx, func(sub *stockbell.ReportSubscription) error {
		if !erased {
			erased = true
			must(s.t, s.DB.UninstallShop(ctx, s.shopID))
			must(s.t, s.DB.DeleteShop(ctx, s.shopID))
		}
		return fn(sub)
	})
}

// TestScheduledReportsPassOverAShopErasedMeanwhile: the periodic job that
// listed a shop's scheduled report, the shop erased before the report's
// claim, ends without an error and claims the other shops' reports. The
// claim found the report gone (ENOTFOUND) and the job returned it, a
// failure the queue retried, claiming no report listed after it until a
// run no longer listed the erased shop.
func TestScheduledReportsPassOverAShopErasedMeanwhile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone, _ := newShop(t, db, "gone.myshopify.com")
		kept, clock := newShop(t, db, "kept.myshopify.com") // the store's clock
		clock.Add(local(12, 8, 0).Sub(clock.Now()))         // Sunday 12 January
		// The erased shop's report is listed first.
		subscribeReport(t, db, gone.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportWeekly)
		keptReport := subscribeReport(t, db, kept.ID, "owner@example.com", stockbell.ReportActivity, stockbell.ReportWeekly)
		s := &report.Scheduler{Reports: &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock},
			Schedule: eraseAfterListing{DB: db, t: t, shopID: gone.ID}, Shops: db, Links: testLinks, Clock: clock,
			Logger: slog.New(slog.DiscardHandler)}
		clock.Add(local(13, 6, 0).Sub(clock.Now())) // Monday: last week's reports
		must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		want := [][2]string{{"2025-01-06", "2025-01-12"}}
		if got := claimedPeriods(t, db, keptReport.ID); !slices.Equal(got, want) {
			t.Errorf("the other shop's report claimed %v, want %v", got, want)
		}
	})
}

// eraseBeforeShopRead is the store as a shop finder, the shop uninstalled
// and erased before the send job reads it: an erase the job meets once it
// found its delivery.
type eraseBeforeShopRead struct {
	*store.DB
	t *testing.T
}

func (s eraseBeforeShopRead) FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error) {
	must(s.t, s.DB.UninstallShop(ctx, id))
	must(s.t, s.DB.DeleteShop(ctx, id))
	return s.DB.FindShopByID(ctx, id)
}

// TestReportSendMeetingTheShopsEraseEndsQuietly: a claimed report's send
// job whose shop is erased once it found its delivery ends without error
// and sends nothing, as one run after the erase does, where it returned
// the shop's ENOTFOUND, a failure the queue retried.
func TestReportSendMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, s := weeklyActivityReport(t, db)
		sink := startSMTPSink(t)
		s = newScheduler(t, f, sink)
		f.clock.Add(local(13, 6, 0).Sub(f.clock.Now())) // Monday: last week's report is claimed
		must(t, s.HandleScheduled(ctx, stockbell.ScheduledReportsJob{}))
		var deliveryID int64
		must(t, db.DB.GetContext(ctx, &deliveryID, db.DB.Rebind(`SELECT id FROM report_deliveries`)))
		s.Shops = eraseBeforeShopRead{DB: db, t: t}
		if err := s.HandleSend(ctx, stockbell.SendReportJob{ShopID: f.shop.ID, DeliveryID: deliveryID}); err != nil {
			t.Errorf("the send job meeting its shop's erase: %v, want it done", err)
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("%d report emails for an erased shop", n)
		}
	})
}

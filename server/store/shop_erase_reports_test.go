package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// weeklyReportOf adds a weekly activity report to the fixture's shop.
func weeklyReportOf(t *testing.T, db *store.DB, fx eraseFixture) *stockbell.ReportSubscription {
	t.Helper()
	sub, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: fx.shop.ID, Email: "owner@example.com",
		Report: stockbell.ReportActivity, Frequency: stockbell.ReportWeekly, CreatedBy: "owner"})
	must(t, err)
	return sub
}

// TestReportClaimDuringAnEraseFindsItGone: the claim of a scheduled
// report's period for a shop being erased returns ENOTFOUND and leaves no
// delivery, so that the periodic job passes it over; another shop's claim
// meanwhile is stored. On PostgreSQL it comes while the erase has deleted
// the shop's row, not committed: the claim read the report as still there,
// and its delivery's foreign key waited for the erase and then failed the
// claim as a violation, the periodic job's error, which the queue retried.
func TestReportClaimDuringAnEraseFindsItGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		goneReport, keptReport := weeklyReportOf(t, db, gone), weeklyReportOf(t, db, kept)
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		claim := func(fx eraseFixture, report *stockbell.ReportSubscription) error {
			_, err := db.ClaimReportPeriod(ctx, fx.shop.ID, report.ID, "2026-02-01", "2026-02-07")
			return err
		}
		var err error
		if db.Dialect == store.Postgres {
			err = writeWhileTheEraseHoldsTheShop(t, db, gone, func() { must(t, claim(kept, keptReport)) },
				func() error { return claim(gone, goneReport) })
		} else { // SQLite's writes take turns: the erase commits first
			must(t, db.DeleteShop(ctx, gone.shop.ID))
			must(t, claim(kept, keptReport))
			err = claim(gone, goneReport)
		}
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM report_deliveries WHERE subscription_id = ?`, goneReport.ID); n != 0 {
			t.Errorf("%d deliveries of the erased shop's report were stored", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM report_deliveries WHERE subscription_id = ?`, keptReport.ID); n != 1 {
			t.Errorf("the other shop's report has %d deliveries, want its 1", n)
		}
	})
}

// TestReportClaimDuringItsRemovalFindsItGone: the claim of a scheduled
// report's period that comes while the merchant's removal of the report
// has not committed waits for it on PostgreSQL and returns ENOTFOUND,
// where its delivery's foreign key failed the claim as a violation.
func TestReportClaimDuringItsRemovalFindsItGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newEraseFixture(t, db, "reports.myshopify.com")
		report := weeklyReportOf(t, db, fx)
		claim := func() error {
			_, err := db.ClaimReportPeriod(ctx, fx.shop.ID, report.ID, "2026-02-01", "2026-02-07")
			return err
		}
		var err error
		if db.Dialect == store.Postgres {
			err = claimWhileRemoved(t, db, report.ID, claim)
		} else { // SQLite's writes take turns: the removal commits first
			must(t, db.DeleteReportSubscription(ctx, fx.shop.ID, report.ID))
			err = claim()
		}
		wantCode(t, err, stockbell.ENOTFOUND, "")
		if n := count(t, db, `SELECT COUNT(*) FROM report_deliveries`); n != 0 {
			t.Errorf("%d deliveries stored for the removed report", n)
		}
	})
}

// claimWhileRemoved runs claim on PostgreSQL while a transaction holds the
// report's delete, until claim waits for it, then commits the delete and
// returns claim's error.
func claimWhileRemoved(t *testing.T, db *store.DB, reportID int64, claim func() error) error {
	t.Helper()
	removal, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer removal.Rollback()
	_, err = removal.Exec(`DELETE FROM report_subscriptions WHERE id = $1`, reportID)
	must(t, err)
	claimed := make(chan error, 1)
	go func() { claimed <- claim() }()
	if !waitForLockWaitersOrEnd(t, db, 1, claimed) {
		t.Errorf("the claim did not wait for the removal")
	}
	must(t, removal.Commit())
	return <-claimed
}

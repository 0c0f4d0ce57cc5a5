package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUnsubscribeLinkOfAMergedReportSaysItStillComes: a weekly report
// changed to daily for an address that already received it daily becomes
// that daily report (ChangeReportFrequency). The weekly emails' link then
// finds no report; its page said "This address no longer receives this
// report" (and a mail client's one-click was answered so) while the daily
// report kept coming. It says the link's report is no longer scheduled and
// that the same report may still come, stopped by its own emails' link;
// the daily report is kept.
func TestUnsubscribeLinkOfAMergedReportSaysItStillComes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		ctx := context.Background()
		create := stockbell.ReportSubscriptionCreate{ShopID: shop.ID, Email: "boss@example.com", Report: stockbell.ReportActivity}
		create.Frequency = stockbell.ReportDaily
		daily, err := db.CreateReportSubscription(ctx, create)
		if err != nil {
			t.Fatal(err)
		}
		create.Frequency = stockbell.ReportWeekly
		weekly, err := db.CreateReportSubscription(ctx, create)
		if err != nil {
			t.Fatal(err)
		}
		if kept, err := db.ChangeReportFrequency(ctx, shop.ID, weekly.ID, stockbell.ReportDaily); err != nil || kept.ID != daily.ID {
			t.Fatalf("merging: %+v (%v), want the daily report kept", kept, err)
		}
		path := strings.TrimPrefix(testReportLinks.UnsubscribeURL(weekly), "http://localhost")
		anyone := f.browser(t)
		for _, p := range []page{anyone.get(path), anyone.post(path, url.Values{"List-Unsubscribe": {"One-Click"}})} {
			wantStatus(t, p, http.StatusOK, "the merged report's link")
			text := p.Body
			if strings.Contains(text, "no longer receives") || !strings.Contains(text, "no longer scheduled") ||
				!strings.Contains(text, "may still receive the same report") {
				t.Errorf("the link of a report merged into another says:\n%.1500s", text)
			}
		}
		if left, _ := db.FindReportSubscriptions(ctx, shop.ID); len(left) != 1 || left[0].ID != daily.ID {
			t.Fatalf("after the merged report's link: %+v, want the daily report kept", left)
		}
	})
}

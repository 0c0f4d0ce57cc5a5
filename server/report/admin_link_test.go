package report_test

import (
	"html"
	"log/slog"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestReportEmailLinksWhereTheMerchantSignsIn: a Shopify shop's report
// email links into the app inside the Shopify admin (its admin has no
// cookie session to land on), and a BigCommerce store's into the app in
// its control panel when the app's id is configured (its session's cookie
// is the control panel's), on the report's days, each shop's email to its
// own store; a shop of another platform, and a shop whose platform's app
// the server does not run or whose app id it lacks, gets the plain link to
// the admin's Reports.
func TestReportEmailLinksWhereTheMerchantSignsIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		bells, _ := newShop(t, db, "bells.myshopify.com")
		chimes, _ := newShop(t, db, "chimes.myshopify.com")
		bigCommerce := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		otherStore := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/def456")
		feed := storetest.MustShop(t, db, stockbell.PlatformFeed, "feed.example")
		shopify := &report.Links{Key: testLinks.Key, PublicURL: testLinks.PublicURL, Apps: stockbell.PlatformApps{ShopifyClientID: "client-123"}}
		controlPanel := &report.Links{Key: testLinks.Key, PublicURL: testLinks.PublicURL, Apps: stockbell.PlatformApps{BigCommerceAppID: "4242"}}
		week := "?from=2025-01-27&to=2025-02-02"
		for _, c := range []struct {
			links *report.Links
			shop  *stockbell.Shop
			kind  stockbell.ReportKind
			want  string
		}{
			{shopify, bells, stockbell.ReportActivity, "https://admin.shopify.com/store/bells/apps/client-123/admin/reports" + week},
			{shopify, bells, stockbell.ReportQueuedSubscribers, "https://admin.shopify.com/store/bells/apps/client-123/admin/reports"},
			{shopify, chimes, stockbell.ReportActivity, "https://admin.shopify.com/store/chimes/apps/client-123/admin/reports" + week},
			{shopify, bigCommerce, stockbell.ReportActivity, "https://bell.test/admin/reports" + week},
			{shopify, feed, stockbell.ReportQueuedSubscribers, "https://bell.test/admin/reports"},
			{testLinks, bells, stockbell.ReportActivity, "https://bell.test/admin/reports" + week},
			{controlPanel, bigCommerce, stockbell.ReportActivity, "https://store-abc123.mybigcommerce.com/manage/app/4242/admin/reports" + week},
			{controlPanel, bigCommerce, stockbell.ReportQueuedSubscribers, "https://store-abc123.mybigcommerce.com/manage/app/4242/admin/reports"},
			{controlPanel, otherStore, stockbell.ReportActivity, "https://store-def456.mybigcommerce.com/manage/app/4242/admin/reports" + week},
			{controlPanel, bells, stockbell.ReportActivity, "https://bell.test/admin/reports" + week},
			{controlPanel, feed, stockbell.ReportActivity, "https://bell.test/admin/reports" + week},
			{testLinks, bigCommerce, stockbell.ReportActivity, "https://bell.test/admin/reports" + week},
		} {
			s := &report.Scheduler{Reports: &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: db.Clock}, Schedule: db, Shops: db,
				Links: c.links, Clock: db.Clock, Logger: slog.New(slog.DiscardHandler)}
			sub := subscribeReport(t, db, c.shop.ID, "owner@example.com", c.kind, stockbell.ReportWeekly)
			out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2025-01-27", PeriodEnd: "2025-02-02"})
			must(t, err)
			if !strings.Contains(out.Text, ": "+c.want+"\n") || !strings.Contains(out.HTML, `href="`+html.EscapeString(c.want)+`"`) {
				t.Errorf("%s (%s, Shopify app %q, BigCommerce app %q): the %s email does not link to %s:\n%s", c.shop.Domain, c.shop.Platform,
					c.links.Apps.ShopifyClientID, c.links.Apps.BigCommerceAppID, c.kind, c.want, out.Text)
			}
		}
	})
}

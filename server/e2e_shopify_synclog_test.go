package main

import (
	"context"
	"html"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// stockCheckBanner is the admin's sync failure banner of the stock check.
var stockCheckBanner = regexp.MustCompile(`<p class="banner warn sync-failure"[^>]*>Shopify stock check [^<]*`)

// stockCheckRefusal is the banner's words for the refused stock check.
var stockCheckRefusal = regexp.MustCompile(`>Shopify stock check failed( \d+ times in a row)?: Shopify refused a query`)

// TestShopifySyncsInTheSyncLog: on the real server, the catalog sync a
// Shopify install queues is in the shop's sync log with what it read; a
// stock check Shopify refuses (the shop took back the inventory scope) is
// a failure there too, and the admin's banner names it in words with
// Shopify's reason until the scope is granted again.
func TestShopifySyncsInTheSyncLog(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { shopifySyncsInTheSyncLog(t, dbURL) })
	}
}

func shopifySyncsInTheSyncLog(t *testing.T, dbURL string) {
	m, fake := shopifyServer(t, dbURL)
	installShop(t, m, fake)
	browser := shopifyCookieSession(t, m, e2eShop)
	ctx := context.Background()
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformShopify, e2eShop)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the catalog sync in the sync log", func() bool {
		log, _, err := m.DB.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		return err == nil && len(log) == 1 && log[0].Kind == stockbell.EventSyncFinished &&
			strings.Contains(log[0].Detail, `"source":"shopify:catalog"`) && strings.Contains(log[0].Detail, `"items":1,`)
	})
	if _, created, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: mustVariant(t, m, shop).ID,
		Email: "jane@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil || !created {
		t.Fatal(err)
	}
	untilNoJobOf(t, m, stockbell.ShopifyRegisterWebhooksJob{}.Kind())
	fake.Do(e2eShop, func(s *shopifytest.Shop) { s.Scope = "read_products,read_orders" })
	untilNoJobOf(t, m, stockbell.ShopifyReconcileJob{}.Kind())
	if err := m.Queue.Insert(ctx, stockbell.ShopifyReconcileJob{ShopID: shop.ID}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the refused stock check in the sync log", func() bool {
		failing, err := m.DB.FindFailingSyncs(ctx, shop.ID)
		return err == nil && slices.ContainsFunc(failing, func(e *stockbell.Event) bool {
			return strings.Contains(e.Detail, `"source":"shopify:reconcile"`)
		})
	})
	resp, err := browser.Get(m.URL() + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := html.UnescapeString(string(body))
	// The periodic webhook registration, if it ran after the scope was
	// taken back, has a banner of its own: the stock check's is looked for.
	banner := stockCheckBanner.FindString(page)
	if banner == "" {
		t.Fatalf("the admin shows no sync failure banner of the stock check:\n%s", page)
	}
	// Another stock check queued meanwhile (the periodic one) may have been
	// refused too: the banner then counts the failures in a row.
	if !stockCheckRefusal.MatchString(banner) || !strings.Contains(banner, "`read_inventory` access scope") {
		t.Fatalf("the banner reads %q, want the Shopify stock check's failure naming read_inventory", banner)
	}
}

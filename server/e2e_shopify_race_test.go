package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
)

// TestShopifyReauthorisationRace plays the race of a re-authorisation on
// the real server: a shopper waits on the sold-out T-shirt; the merchant
// re-authorises the app, so Stockbell reads the catalog again; stock returns
// right after that read, and Shopify's webhook carries an updated_at in the
// second the re-authorisation began (whole seconds, by Shopify's clock).
// The subscriber is notified.
func TestShopifyReauthorisationRace(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { reauthorisationRace(t, dbURL) })
	}
}

func reauthorisationRace(t *testing.T, dbURL string) {
	ctx := context.Background()
	m, fake := shopifyServer(t, dbURL)
	installShop(t, m, fake)
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformShopify, e2eShop)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the first catalog sync", func() bool { return completedSyncs(m, shop.ID) == 1 })
	// The start-up reconciliation reads the fake too; let it finish first so
	// that it cannot find the restock the webhook reports.
	eventually(t, m, "the start-up reconciliation", func() bool { return reconcilesSettled(m) })
	sub, _, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID,
		VariantID: mustVariant(t, m, shop).ID, Email: "jane@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
	if err != nil {
		t.Fatal(err)
	}

	reauthorised := time.Now()
	installShop(t, m, fake)
	eventually(t, m, "the catalog read of the re-authorisation", func() bool { return completedSyncs(m, shop.ID) == 2 })
	// Stock returns right after the read; Shopify stamps the change with the
	// second its clock shows, the one the re-authorisation began in.
	fake.Clock.Set(reauthorised.Truncate(time.Second))
	fake.SetLevel(e2eShop, 1070325040, 24826418, 3)
	sendWebhook(t, m, fake, shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelUpdate(24826418, 3, fake.Clock.Now())})

	eventually(t, m, "the waiting subscriber to be notified", func() bool {
		got, err := m.DB.FindSubscriptionByID(ctx, sub.ShopID, sub.ID)
		return err == nil && got.Status == stockbell.SubscriptionNotified
	})
	if v := mustVariant(t, m, shop); v.Stock != 3 {
		t.Errorf("stock = %d after the restock, want 3", v.Stock)
	}
}

// reconcilesSettled reports whether the Shopify reconciliation has run and
// none is pending: the next one is 15 minutes away.
func reconcilesSettled(m *Main) bool {
	var done, pending int
	m.DB.DB.Get(&done, `SELECT COUNT(*) FROM river_job WHERE kind = 'shopify_reconcile' AND state = 'completed'`)
	m.DB.DB.Get(&pending, `SELECT COUNT(*) FROM river_job WHERE kind = 'shopify_reconcile' AND state <> 'completed'`)
	return done > 0 && pending == 0
}

// completedSyncs counts the shop's Shopify catalog syncs that finished
// (its sync log's entries): the periodic job that fans the syncs out is
// of the same kind, but syncs no shop itself.
func completedSyncs(m *Main, shopID int64) int {
	var n int
	m.DB.DB.Get(&n, m.DB.DB.Rebind(`SELECT COUNT(*) FROM events WHERE shop_id = ? AND kind = 'sync_finished' AND detail LIKE ?`),
		shopID, `%"source":"shopify:catalog"%`)
	return n
}

// shopJobKinds lists the kinds of the queued jobs whose arguments are the
// shop's id alone (the periodic jobs that fan out name no shop).
func shopJobKinds(t *testing.T, m *Main, shopID int64) []string {
	t.Helper()
	args := "json(args)"
	if m.DB.Dialect == store.Postgres {
		args = "args::text"
	}
	var kinds []string
	err := m.DB.DB.Select(&kinds, m.DB.DB.Rebind(`SELECT kind FROM river_job WHERE replace(`+args+`, ' ', '') = ? ORDER BY id`),
		fmt.Sprintf(`{"shop_id":%d}`, shopID))
	if err != nil {
		t.Fatal(err)
	}
	return kinds
}

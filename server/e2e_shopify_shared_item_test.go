package main

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// e2eParentVariant is the variant of a combined listing's parent product
// that shares the T-shirt's inventory item (1070325040) in the fake.
const e2eParentVariant = "642667041472713931"

// TestShopifySharedItemRestockNotifiesEveryVariant: on the real server,
// a restock of an inventory item that two variants share (a combined
// listing's parent and child) notifies the shoppers waiting for each.
func TestShopifySharedItemRestockNotifiesEveryVariant(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { sharedItemRestock(t, dbURL) })
	}
}

func sharedItemRestock(t *testing.T, dbURL string) {
	m, fake := shopifyServer(t, dbURL)
	fake.Do(e2eShop, func(s *shopifytest.Shop) {
		s.Products = append(s.Products, &shopifytest.Product{ID: 788032119674292931, Title: "T-Shirt (all colours)",
			Handle: "t-shirt", Status: "ACTIVE", Published: true, UpdatedAt: time.Now().Add(-time.Hour),
			Variants: []*shopifytest.Variant{{ID: 642667041472713931, Title: "Small / White", Price: "19.99", Policy: "DENY",
				InventoryItemID: 1070325040, Tracked: true}}})
	})
	installShop(t, m, fake)
	ctx := context.Background()
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformShopify, e2eShop)
	if err != nil {
		t.Fatal(err)
	}
	var subs []*stockbell.Subscription
	for _, variant := range []string{"642667041472713922", e2eParentVariant} {
		eventually(t, m, "the catalog sync of variant "+variant, func() bool {
			_, err := m.DB.FindVariant(ctx, shop.ID, variant)
			return err == nil
		})
		v, _ := m.DB.FindVariant(ctx, shop.ID, variant)
		sub, created, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
			Email: "waiting-" + variant + "@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err != nil || !created {
			t.Fatalf("subscribe to %s: %v", variant, err)
		}
		subs = append(subs, sub)
	}

	// The stock check queued at start-up, reading every waited-for
	// variant, is done: the webhook alone restocks both.
	untilNoJobOf(t, m, stockbell.ShopifyReconcileJob{}.Kind())
	fake.SetLevel(e2eShop, 1070325040, 24826418, 3)
	sendWebhook(t, m, fake, shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelUpdate(24826418, 3, time.Now().UTC())})
	for _, sub := range subs {
		eventually(t, m, "the message to "+sub.Email, func() bool {
			msgs, _, err := m.DB.FindMessages(ctx, stockbell.MessageFilter{ShopID: &sub.ShopID, SubscriptionID: &sub.ID})
			return err == nil && len(msgs) == 1 && msgs[0].Status == stockbell.MessageSent
		})
	}
}

package main

import (
	"context"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// TestShopifyTokensOnTheServer: on the real server, with Shopify refusing
// non-expiring tokens as from January 1, 2027, a shop installed by an
// earlier version (a non-expiring token) has its token exchanged by the
// shopify_token_migration job and its catalog synced with the new one;
// when Shopify's clock passes the token's expiry before Stockbell's, the
// refused call refreshes the token and the sync succeeds.
func TestShopifyTokensOnTheServer(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { shopifyTokensOnTheServer(t, dbURL) })
	}
}

func shopifyTokensOnTheServer(t *testing.T, dbURL string) {
	m, fake := shopifyServer(t, dbURL)
	ctx := context.Background()
	fake.RefuseNonExpiring = true
	fake.Do(e2eShop, func(s *shopifytest.Shop) { s.Token, s.Scope = "shpat_from_an_earlier_version", fake.AppScopes })
	shop, err := m.DB.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: e2eShop,
		Seal: stockbell.SealToken(m.Sealer, "shpat_from_an_earlier_version"), Scopes: fake.AppScopes})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Queue.Insert(ctx, stockbell.ShopifyTokenMigrationJob{}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the token's exchange for an expiring one", func() bool {
		got, err := m.DB.FindShopByID(ctx, shop.ID)
		return err == nil && got.TokenExpiring()
	})
	if err := m.Queue.Insert(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the catalog sync with the expiring token", func() bool {
		_, err := m.DB.FindVariant(ctx, shop.ID, "642667041472713922")
		return err == nil
	})

	fake.Clock.Advance(2 * time.Hour)
	if err := m.Queue.Insert(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the refused token's refresh and a second catalog sync", func() bool {
		var refreshes int
		fake.Do(e2eShop, func(s *shopifytest.Shop) { refreshes = s.Refreshes })
		return refreshes == 1 && completedSyncs(m, shop.ID) == 2
	})
	if failing, err := m.DB.FindFailingSyncs(ctx, shop.ID); err != nil || len(failing) != 0 {
		t.Errorf("failing syncs %v, %v; want none", failing, err)
	}
}

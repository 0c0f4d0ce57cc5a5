package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestResealTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var shops []*stockbell.Shop
		for _, domain := range []string{"old.example", "current.example", "unreadable.example"} {
			shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: domain, Seal: fixedSeal(domain)})
			must(t, err)
			shops = append(shops, shop)
		}
		storetest.MustShop(t, db, stockbell.PlatformShopify, "no-token.myshopify.com")
		seen := 0
		done, err := db.ResealTokens(ctx, func(shopID int64, sealed []byte) ([]byte, bool, error) {
			seen++
			switch string(sealed) {
			case "old.example":
				return []byte("resealed"), true, nil
			case "current.example":
				return sealed, false, nil
			}
			return nil, false, stockbell.Errorf(stockbell.EUNAUTHORIZED, "no key opens it")
		})
		must(t, err)
		if seen != 3 || done.Resealed != 1 || len(done.Unreadable) != 1 || done.Unreadable[0] != shops[2].ID {
			t.Fatalf("saw %d tokens; resealed %d, unreadable %v", seen, done.Resealed, done.Unreadable)
		}
		for i, want := range []string{"resealed", "current.example", "unreadable.example"} {
			got, err := db.FindShopByID(ctx, shops[i].ID)
			must(t, err)
			if string(got.SealedToken) != want {
				t.Errorf("shop %s token %q, want %q", got.Domain, got.SealedToken, want)
			}
		}
	})
}

// Webhook secrets, feed credentials and outbound webhook endpoints' signing
// keys are sealed for their shop too: a key rotation reseals them with the
// tokens.
func TestResealTokensCoversSecretsAndFeedCredentials(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		_, err := db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: shop.ID, Hash: secretOf(shop.ID, "s").Hash, Sealed: []byte("old secret")})
		must(t, err)
		feedShop, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "feed.example", URL: "https://feed.example/a.json",
			SealCredentials: func(int64) ([]byte, error) { return []byte("old credentials"), nil }})
		must(t, err)
		endpoint, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: "https://hooks.example/x",
			EventTypes: []string{stockbell.WebhookSubscriptionCreated}}, []byte("old signing key"))
		must(t, err)
		resealed := map[string]int64{}
		done, err := db.ResealTokens(ctx, func(shopID int64, sealed []byte) ([]byte, bool, error) {
			resealed[string(sealed)] = shopID
			return []byte("new " + string(sealed)), true, nil
		})
		must(t, err)
		if done.Resealed != 4 || resealed["old secret"] != shop.ID || resealed["old credentials"] != feedShop.ID || resealed["old signing key"] != shop.ID {
			t.Fatalf("resealed %v (%d)", resealed, done.Resealed)
		}
		secret, err := db.FindWebhookSecret(ctx, secretOf(shop.ID, "s").Hash)
		must(t, err)
		feed, err := db.FindFeed(ctx, feedShop.ID)
		must(t, err)
		_, signing, err := db.WebhookEndpointSecret(ctx, endpoint.ShopID, endpoint.ID)
		must(t, err)
		if string(secret.Sealed) != "new old secret" || string(feed.SealedCredentials) != "new old credentials" || string(signing) != "new old signing key" {
			t.Fatalf("after resealing: %q, %q, %q", secret.Sealed, feed.SealedCredentials, signing)
		}
	})
}

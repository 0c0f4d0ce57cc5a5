package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// eachOperatorDatabase runs fn once per database the run tests, with a
// fresh migrated database and the environment of a command run on it.
func eachOperatorDatabase(t *testing.T, fn func(t *testing.T, db *store.DB, getenv func(string) string)) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			db, dbURL := storetest.OpenURL(t, dialect)
			fn(t, db, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
		})
	}
}

// shopWithSubscriber installs a shop of the platform with one variant and
// one shopper waiting for it.
func shopWithSubscriber(t *testing.T, db *store.DB, platform stockbell.Platform, domain string) *stockbell.Shop {
	t.Helper()
	ctx := context.Background()
	shop := storetest.MustShop(t, db, platform, domain)
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Lamp", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v1", Title: "Default", Tracked: true}}})
	noErr(t, err)
	variant, err := db.FindVariant(ctx, shop.ID, "v1")
	noErr(t, err)
	_, _, err = db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: variant.ID,
		Email: "shopper@" + domain, Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	noErr(t, err)
	return shop
}

// subscriptionCount is how many subscriptions the shop has.
func subscriptionCount(t *testing.T, db *store.DB, shopID int64) int {
	t.Helper()
	_, n, err := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shopID, Limit: 1})
	noErr(t, err)
	return n
}

// shopGone fails the test unless the shop is erased.
func shopGone(t *testing.T, db *store.DB, shopID int64) {
	t.Helper()
	if _, err := db.FindShopByID(context.Background(), shopID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Fatalf("shop %d after the erase: err %v, want ENOTFOUND", shopID, err)
	}
}

// TestShopEraseErasesAnUninstalledShopOnly: `shop erase` erases a
// BigCommerce shop that was uninstalled, its shoppers with it, and leaves
// another shop's shoppers alone.
func TestShopEraseErasesAnUninstalledShopOnly(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		gone := shopWithSubscriber(t, db, stockbell.PlatformBigCommerce, "gone.example.com")
		kept := shopWithSubscriber(t, db, stockbell.PlatformBigCommerce, "kept.example.com")
		noErr(t, db.UninstallShop(context.Background(), gone.ID))
		code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", "gone.example.com", "--yes")
		if code != 0 || !strings.Contains(stdout, "Erased bigcommerce shop gone.example.com") {
			t.Fatalf("shop erase: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		shopGone(t, db, gone.ID)
		if n := subscriptionCount(t, db, gone.ID); n != 0 {
			t.Errorf("the erased shop keeps %d subscription(s)", n)
		}
		if n := subscriptionCount(t, db, kept.ID); n != 1 {
			t.Errorf("another shop has %d subscription(s) after the erase, want 1", n)
		}
	})
}

// TestShopEraseRefusesAnInstalledShop: an installed shop is not erased;
// the error says it is installed and how to uninstall it first.
func TestShopEraseRefusesAnInstalledShop(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		shop := shopWithSubscriber(t, db, stockbell.PlatformBigCommerce, "live.example.com")
		code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "live.example.com", "--yes")
		if code != 1 || !strings.Contains(stderr, "is still installed") || !strings.Contains(stderr, "BigCommerce control panel") {
			t.Fatalf("shop erase of an installed shop: exit %d, stderr %q", code, stderr)
		}
		if n := subscriptionCount(t, db, shop.ID); n != 1 {
			t.Fatalf("the installed shop has %d subscription(s) after the refusal, want 1", n)
		}
	})
}

// TestShopEraseWithoutYesErasesNothing: without --yes the command says
// what it would erase, with the subscriptions counted, and how to erase
// it, and exits non-zero having erased nothing.
func TestShopEraseWithoutYesErasesNothing(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		shop := shopWithSubscriber(t, db, stockbell.PlatformMagento, "left.example.com")
		noErr(t, db.UninstallShop(context.Background(), shop.ID))
		code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", "left.example.com")
		if code != 1 || !strings.Contains(stdout, "Would erase magento shop left.example.com") || !strings.Contains(stdout, "1 subscription(s)") ||
			!strings.Contains(stderr, "nothing erased") || !strings.Contains(stderr, "--yes") {
			t.Fatalf("shop erase without --yes: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if n := subscriptionCount(t, db, shop.ID); n != 1 {
			t.Fatalf("the shop has %d subscription(s) after erase without --yes, want 1", n)
		}
	})
}

// TestShopDisconnectThenEraseOfAFeedShop: a feed shop, which nothing
// uninstalls, is refused erasure while connected (the error names
// `shop disconnect`); disconnected, it is uninstalled with its feed's
// credentials erased, and can then be erased.
func TestShopDisconnectThenEraseOfAFeedShop(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		shop, _, err := db.ConnectFeed(ctx, stockbell.FeedConnect{Domain: "feed.example.com", URL: "https://feed.example.com/feed.json",
			SealCredentials: func(int64) ([]byte, error) { return []byte("sealed"), nil }})
		noErr(t, err)
		if code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "feed.example.com", "--yes"); code != 1 || !strings.Contains(stderr, "shop disconnect --shop feed.example.com") {
			t.Fatalf("shop erase of a connected feed: exit %d, stderr %q", code, stderr)
		}
		code, stdout, stderr := run(t, getenv, "shop", "disconnect", "--shop", "feed.example.com")
		if code != 0 || !strings.Contains(stdout, "Disconnected feed shop feed.example.com") {
			t.Fatalf("shop disconnect: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		after, err := db.FindShopByID(ctx, shop.ID)
		noErr(t, err)
		feed, err := db.FindFeed(ctx, shop.ID)
		noErr(t, err)
		if after.Active() || feed.SealedCredentials != nil {
			t.Fatalf("after disconnect: shop %s, feed credentials %q", after.Status, feed.SealedCredentials)
		}
		if code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", "feed.example.com", "--yes"); code != 0 {
			t.Fatalf("shop erase after disconnect: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		shopGone(t, db, shop.ID)
	})
}

// TestShopDisconnectRefusesAppStorePlatforms: a shop installed from its
// platform's app store is uninstalled there, not disconnected here.
func TestShopDisconnectRefusesAppStorePlatforms(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		shop := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "bc.example.com")
		code, _, stderr := run(t, getenv, "shop", "disconnect", "--shop", "bc.example.com")
		if code != 1 || !strings.Contains(stderr, "uninstalled from its own admin") {
			t.Fatalf("shop disconnect of a BigCommerce shop: exit %d, stderr %q", code, stderr)
		}
		after, err := db.FindShopByID(context.Background(), shop.ID)
		noErr(t, err)
		if !after.Active() {
			t.Fatalf("the BigCommerce shop was uninstalled by the refused disconnect")
		}
	})
}

// TestShopEraseAsksForThePlatformOfASharedDomain: shops of two platforms
// with one domain are not guessed between: the error names both, with
// their public keys and state, and asks for --platform, which then erases
// only the one named.
func TestShopEraseAsksForThePlatformOfASharedDomain(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		magento := shopWithSubscriber(t, db, stockbell.PlatformMagento, "both.example.com")
		bigcommerce := shopWithSubscriber(t, db, stockbell.PlatformBigCommerce, "both.example.com")
		noErr(t, db.UninstallShop(ctx, magento.ID))
		noErr(t, db.UninstallShop(ctx, bigcommerce.ID))
		code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "both.example.com", "--yes")
		if code != 1 || !strings.Contains(stderr, "--platform") || !strings.Contains(stderr, "magento "+magento.PublicKey+" (both.example.com, uninstalled)") ||
			!strings.Contains(stderr, "bigcommerce "+bigcommerce.PublicKey+" (both.example.com, uninstalled)") {
			t.Fatalf("shop erase of a shared domain: exit %d, stderr %q", code, stderr)
		}
		if code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "both.example.com", "--platform", "magento", "--yes"); code != 0 {
			t.Fatalf("shop erase --platform magento: exit %d, stderr %q", code, stderr)
		}
		shopGone(t, db, magento.ID)
		if n := subscriptionCount(t, db, bigcommerce.ID); n != 1 {
			t.Fatalf("the BigCommerce shop of the domain has %d subscription(s), want 1", n)
		}
		if code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "nowhere.example.com", "--yes"); code != 1 || !strings.Contains(stderr, `no shop "nowhere.example.com"`) {
			t.Fatalf("shop erase of an unknown domain: exit %d, stderr %q", code, stderr)
		}
	})
}

// TestShopEraseErasesAShopifyShopsDataRequestAnswers: erasing a Shopify
// shop also erases the answers to its customers' data requests, as
// shop/redact does.
func TestShopEraseErasesAShopifyShopsDataRequestAnswers(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		shop := storetest.MustShop(t, db, stockbell.PlatformShopify, "gone.myshopify.com")
		noErr(t, db.UninstallShop(context.Background(), shop.ID))
		answers := filepath.Join(getenv("STOCKBELL_DATA_DIR"), "data-requests", "gone.myshopify.com")
		noErr(t, os.MkdirAll(answers, 0o700))
		noErr(t, os.WriteFile(filepath.Join(answers, "1.json"), []byte("{}"), 0o600))
		if code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "gone.myshopify.com", "--yes"); code != 0 {
			t.Fatalf("shop erase: exit %d, stderr %q", code, stderr)
		}
		if _, err := os.Stat(answers); !os.IsNotExist(err) {
			t.Fatalf("the shop's data request answers after the erase: %v", fmt.Sprint(err))
		}
	})
}

// TestShopEraseOfTheDemoShopSuggestsNoDisconnect: the demo shop is
// refused like any installed shop, and the refusal does not send the
// operator to `shop disconnect`, which takes only feed and PrestaShop
// shops.
func TestShopEraseOfTheDemoShopSuggestsNoDisconnect(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		shop := shopWithSubscriber(t, db, stockbell.PlatformDemo, "demo.example.com")
		code, _, stderr := run(t, getenv, "shop", "erase", "--shop", "demo.example.com", "--yes")
		if code != 1 || !strings.Contains(stderr, "stays so") || strings.Contains(stderr, "shop disconnect") {
			t.Fatalf("shop erase of the demo shop: exit %d, stderr %q", code, stderr)
		}
		if n := subscriptionCount(t, db, shop.ID); n != 1 {
			t.Fatalf("the demo shop has %d subscription(s) after the refusal, want 1", n)
		}
	})
}

// TestShopEraseAndDisconnectTakeThePublicKey: as the other commands'
// --shop does, `shop erase` and `shop disconnect` take a shop's public key,
// which tells apart shops of several platforms sharing a domain: only the
// shop the key names is erased or disconnected.
func TestShopEraseAndDisconnectTakeThePublicKey(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		magento := shopWithSubscriber(t, db, stockbell.PlatformMagento, "both.example.com")
		bigcommerce := shopWithSubscriber(t, db, stockbell.PlatformBigCommerce, "both.example.com")
		noErr(t, db.UninstallShop(ctx, magento.ID))
		noErr(t, db.UninstallShop(ctx, bigcommerce.ID))
		if code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", bigcommerce.PublicKey, "--yes"); code != 0 {
			t.Fatalf("shop erase --shop KEY: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		shopGone(t, db, bigcommerce.ID)
		if n := subscriptionCount(t, db, magento.ID); n != 1 {
			t.Fatalf("the Magento shop of the domain has %d subscription(s), want 1", n)
		}
		if code, _, stderr := run(t, getenv, "shop", "erase", "--shop", magento.PublicKey, "--platform", "bigcommerce", "--yes"); code != 1 ||
			!strings.Contains(stderr, "magento") {
			t.Fatalf("shop erase --shop KEY of another platform's shop: exit %d, stderr %q", code, stderr)
		}

		feed := storetest.MustShop(t, db, stockbell.PlatformFeed, "shared.example.com")
		prestashop := storetest.MustShop(t, db, stockbell.PlatformPrestaShop, "shared.example.com")
		code, stdout, stderr := run(t, getenv, "shop", "disconnect", "--shop", prestashop.PublicKey)
		if code != 0 || !strings.Contains(stdout, "Disconnected prestashop shop shared.example.com") {
			t.Fatalf("shop disconnect --shop KEY: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		for _, want := range []struct {
			shop   *stockbell.Shop
			active bool
		}{{prestashop, false}, {feed, true}} {
			after, err := db.FindShopByID(ctx, want.shop.ID)
			noErr(t, err)
			if after.Active() != want.active {
				t.Errorf("%s shop after disconnecting the PrestaShop one by key: %s", after.Platform, after.Status)
			}
		}
	})
}

package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/report"
)

var (
	keyBefore = strings.Repeat("1b", 32)
	keyAfter  = strings.Repeat("2c", 32)
)

// TestSecretKeyRotation installs a Shopify shop and takes an unsubscribe
// link under one key, then restarts the server with a new key and
// STOCKBELL_SECRET_KEY_PREVIOUS set to the old one: the shop's token is
// resealed with the new key at start-up (so it opens without the old key
// afterwards) and the links already sent (a shopper's unsubscribe link, a
// scheduled report's) still work. Without the previous key the old links
// are refused.
func TestSecretKeyRotation(t *testing.T) {
	dbURL := filepath.Join(t.TempDir(), "db.sqlite")
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	addr := freeAddr(t)
	env := func(vars ...string) func(string) string {
		base := map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_PUBLIC_URL": "http://" + addr, "STOCKBELL_DATABASE_URL": dbURL,
			"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL()}
		for i := 0; i < len(vars); i += 2 {
			base[vars[i]] = vars[i+1]
		}
		return testEnv(t, base)
	}

	before := startStoppable(t, env("STOCKBELL_SECRET_KEY", keyBefore))
	installShop(t, before, fake)
	shop, err := before.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	sub := storetestSubscription(t, before, shop)
	links := []string{unsubscribeLink(t, before, shop, sub), reportUnsubscribeLink(t, before, shop)}
	for _, link := range links {
		if code := getStatus(t, before.URL()+link); code != http.StatusOK {
			t.Fatalf("%s under the key that signed it = %d", link, code)
		}
	}
	noErr(t, before.Close())

	rotated := startStoppable(t, env("STOCKBELL_SECRET_KEY", keyAfter, "STOCKBELL_SECRET_KEY_PREVIOUS", keyBefore))
	for _, link := range links {
		if code := getStatus(t, rotated.URL()+link); code != http.StatusOK {
			t.Fatalf("%s, sent before the rotation = %d during it, want 200", link, code)
		}
	}
	stored, err := rotated.DB.FindShopByID(context.Background(), shop.ID)
	noErr(t, err)
	afterOnly, _ := oauth.NewSealer(rotated.Config.SubKey("token sealing", 32))
	if _, err := afterOnly.Open(shop.ID, stored.SealedToken); err != nil {
		t.Fatalf("the shop's token was not resealed with the new key at start-up: %v", err)
	}
	noErr(t, rotated.Close())

	after := startStoppable(t, env("STOCKBELL_SECRET_KEY", keyAfter))
	defer after.Close()
	for _, link := range links {
		if code := getStatus(t, after.URL()+link); code != http.StatusNotFound {
			t.Fatalf("%s, of the old key, without STOCKBELL_SECRET_KEY_PREVIOUS = %d, want 404", link, code)
		}
	}
}

// startStoppable starts a server the test closes itself.
func startStoppable(t *testing.T, getenv func(string) string) *Main {
	t.Helper()
	cfg, err := loadConfig(&cliEnv{getenv: getenv})
	noErr(t, err)
	m := NewMain(cfg, newLogger(cfg, &strings.Builder{}))
	noErr(t, m.Run(context.Background()))
	return m
}

func storetestSubscription(t *testing.T, m *Main, shop *stockbell.Shop) *stockbell.Subscription {
	_, err := m.DB.UpsertProduct(context.Background(), stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p", Title: "Lamp", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v", Tracked: true, InventoryPolicy: stockbell.InventoryDeny}}})
	noErr(t, err)
	v, err := m.DB.FindVariant(context.Background(), shop.ID, "v")
	noErr(t, err)
	sub, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
		Email: "rotate@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
	noErr(t, err)
	return sub
}

// unsubscribeLink is the path of the subscription's unsubscribe link, as
// the server running m signs it into messages.
func unsubscribeLink(t *testing.T, m *Main, shop *stockbell.Shop, sub *stockbell.Subscription) string {
	signer, err := delivery.NewSigner(m.Config.SubKey("delivery links", 32))
	noErr(t, err)
	return "/unsubscribe/" + signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: sub.ID, ShopID: shop.ID})
}

// reportUnsubscribeLink adds a scheduled report to the shop and returns the
// path of its unsubscribe link, as the server running m signs it into the
// report's emails.
func reportUnsubscribeLink(t *testing.T, m *Main, shop *stockbell.Shop) string {
	sub, err := m.DB.CreateReportSubscription(context.Background(), stockbell.ReportSubscriptionCreate{ShopID: shop.ID,
		Email: "owner@example.com", Report: stockbell.ReportActivity, Frequency: stockbell.ReportWeekly, CreatedBy: "owner"})
	noErr(t, err)
	links := &report.Links{Key: m.Config.SubKey("report links", 32)}
	return links.UnsubscribeURL(sub)
}

func getStatus(t *testing.T, url string) int {
	resp, err := http.Get(url)
	noErr(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

const feedDomain = "shop.feeds.example"

// subscribe posts to the storefront API as the snippet does (text/plain,
// from the storefront's origin) and returns the status.
func subscribe(t *testing.T, m *Main, shop, variant, email string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"shop": shop, "variant_id": variant, "email": email, "channels": []string{"email"}})
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/api/storefront/v1/subscriptions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", "https://"+shop)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestFeedShopToRestockNotification runs a catalog feed through the real
// server and the commands: `shop add --platform feed` connects it and its
// first sync (a job) reads it; a shopper subscribes to a sold-out item by
// the storefront's domain and the item's id; `feed sync` finds the
// restock, and the engine notifies the subscriber; a truncated document
// makes `feed sync` fail with the reason and changes nothing.
func TestFeedShopToRestockNotification(t *testing.T) {
	host := feedtest.NewServer()
	t.Cleanup(host.Close)
	items := feedtest.Items(40, 0)
	host.Set("/catalog.json", feedtest.Feed{Body: feedtest.Document("json", items)})
	getenv := testEnv(t, nil)
	m := startServer(t, getenv)
	ctx := context.Background()

	code, stdout, stderr := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", feedDomain, "--feed-url", host.URL("/catalog.json"))
	if code != 0 || !strings.Contains(stdout, "first sync is queued") {
		t.Fatalf("shop add: exit %d, %q %q", code, stdout, stderr)
	}
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformFeed, feedDomain)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the first sync", func() bool {
		_, total, err := m.DB.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID})
		return err == nil && total == 40
	})
	if status := subscribe(t, m, feedDomain, "SKU-000005", "ada@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription answered %d", status)
	}

	// The merchant restocks item 5; the on-demand sync finds it.
	items[5].InventoryQuantity = 3
	host.Set("/catalog.json", feedtest.Feed{Body: feedtest.Document("json", items), ModifiedAt: time.Now().Add(time.Minute)})
	code, stdout, stderr = run(t, getenv, "feed", "sync", "--shop", feedDomain)
	if code != 0 || !strings.Contains(stdout, "40 items, 1 changed") {
		t.Fatalf("feed sync: exit %d, %q %q", code, stdout, stderr)
	}
	eventually(t, m, "the subscriber's message sent", func() bool {
		subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &shop.ID})
		if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionNotified {
			return false
		}
		msgs, _, err := m.DB.FindMessages(ctx, stockbell.MessageFilter{ShopID: &subs[0].ShopID, SubscriptionID: &subs[0].ID})
		return err == nil && len(msgs) == 1 && msgs[0].Status == stockbell.MessageSent
	})

	// A document cut short is refused: the command says why, nothing changes.
	doc := feedtest.Document("json", feedtest.Items(40, 7))
	host.Set("/catalog.json", feedtest.Feed{Body: doc[:len(doc)-30], ModifiedAt: time.Now().Add(2 * time.Minute)})
	code, _, stderr = run(t, getenv, "feed", "sync", "--shop", feedDomain)
	if code == 0 || !strings.Contains(stderr, "ends early") {
		t.Fatalf("feed sync of a truncated document: exit %d, %q", code, stderr)
	}
	v, err := m.DB.FindVariant(ctx, shop.ID, "SKU-000005")
	if err != nil || v.Stock != 3 {
		t.Fatalf("after the refused document: %+v, %v", v, err)
	}
	log, _, err := m.DB.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 1})
	if err != nil || len(log) != 1 || log[0].Kind != stockbell.EventSyncFailed {
		t.Fatalf("sync log = %+v, %v", log, err)
	}
}

func TestFeedCommandsRefuseBadInput(t *testing.T) {
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"shop", "add", "--platform", "shopify", "--domain", "x.example", "--feed-url", "https://f.example/a.json"}, "only feed and prestashop shops"},
		{[]string{"shop", "add", "--platform", "feed", "--domain", "x.example", "--feed-url", "ftp://f.example/a.json"}, "--feed-url"},
		{[]string{"shop", "add", "--platform", "feed", "--domain", "x.example", "--feed-url", "https://f.example/a.json", "--interval", "10s"}, "--interval"},
		{[]string{"shop", "add", "--platform", "feed", "--domain", "x.example", "--feed-url", "https://f.example/a.json", "--feed-header", "nocolon"}, "--feed-header"},
		{[]string{"feed", "sync", "--shop", "nope.example"}, "no shop"},
		{[]string{"feed", "sync"}, "--shop is required"},
	} {
		if code, _, stderr := run(t, getenv, c.args...); code == 0 || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.stderr)
		}
	}
}

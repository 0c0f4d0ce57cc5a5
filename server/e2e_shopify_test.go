package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/web"
)

const e2eShop = "e2e-bells.myshopify.com"

// freeAddr returns a loopback address with a port free right now, so that
// a server's public URL can be known before it starts. The
// port is released, so a test running in parallel could take it before
// the server binds it: a parallel test starts its server with
// startServerAt, which holds the port.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// shopifyServer starts the real server on the database at dbURL against a
// loopback fake Shopify whose shop sells one T-shirt variant, sold out at a
// warehouse and at a point-of-sale location.
func shopifyServer(t *testing.T, dbURL string) (*Main, *shopifytest.Fake) {
	return shopifyServerWith(t, dbURL, nil)
}

// shopifyServerWith is shopifyServer with more of the server's settings.
func shopifyServerWith(t *testing.T, dbURL string, vars map[string]string) (*Main, *shopifytest.Fake) {
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	fake.Do(e2eShop, func(s *shopifytest.Shop) {
		s.Products = []*shopifytest.Product{{ID: 788032119674292922, Title: "Example T-Shirt", Handle: "example-t-shirt",
			Status: "ACTIVE", Published: true, UpdatedAt: time.Now().Add(-time.Hour),
			Variants: []*shopifytest.Variant{{ID: 642667041472713922, Title: "Small", SKU: "TS-S", Price: "19.99",
				Policy: "DENY", InventoryItemID: 1070325040, Tracked: true,
				Levels: []shopifytest.Level{{LocationID: 24826418, Available: 0}, {LocationID: 99000001, Available: 0}}}}}}
	})
	env := map[string]string{
		"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret,
		"STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL(), "STOCKBELL_DATABASE_URL": dbURL,
	}
	maps.Copy(env, vars)
	m := startServerAt(t, env)
	return m, fake
}

// installShop plays the merchant's install from the app store link to the
// app's dashboard in the Shopify admin, following every redirect with one
// browser's cookies: the callback sends the merchant to the app in the
// Shopify admin, which opens the dashboard in its frame with a session
// token (fake.OpenAppLink).
func installShop(t *testing.T, m *Main, fake *shopifytest.Fake) {
	installShopNamed(t, m, fake, e2eShop)
}

// installShopNamed installs the shop of that domain as installShop does.
func installShopNamed(t *testing.T, m *Main, fake *shopifytest.Fake, domain string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: stopAtTheShopifyAdmin}
	resp, err := browser.Get(m.URL() + "/auth/shopify?" + fake.SignedQuery(domain, url.Values{}).Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	inAdmin, _ := stockbell.ShopifyEmbeddedAppURL(domain, fake.APIKey, "/admin")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != inAdmin {
		t.Fatalf("install ended at %s with %d, Location %q: want the app in the Shopify admin, %s",
			resp.Request.URL, resp.StatusCode, resp.Header.Get("Location"), inAdmin)
	}
	frame, err := fake.OpenAppLink(inAdmin, m.Config.PublicURL+"/admin") // shopify.app.toml's application_url
	noErr(t, err)
	if a := request(t, http.MethodGet, frame, nil); a.status != 200 || !strings.Contains(a.body, "Dashboard") || !strings.Contains(a.body, domain) {
		t.Fatalf("the app opened in the Shopify admin after the install: %d\n%.1500s", a.status, a.body)
	}
}

// stopAtTheShopifyAdmin follows redirects up to one into the Shopify
// admin, which the test plays itself (fake.OpenAppLink) rather than
// leave loopback.
func stopAtTheShopifyAdmin(next *http.Request, _ []*http.Request) error {
	if next.URL.Host == shopifytest.AdminHost {
		return http.ErrUseLastResponse
	}
	return nil
}

// shopifyCookieSession returns a browser signed in to the shop's admin
// with a cookie session on the server, as a one-time sign-in link opens
// one (`stockbell admin link`).
func shopifyCookieSession(t *testing.T, m *Main, domain string) *http.Client {
	t.Helper()
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, domain)
	noErr(t, err)
	token, _, err := m.DB.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
	noErr(t, err)
	client := noRedirectClient()
	if status := signInWith(t, client, m.Config.PublicURL+web.SignInPath+"?token="+url.QueryEscape(token)); status != http.StatusSeeOther {
		t.Fatalf("signing in with a one-time link: %d", status)
	}
	client.CheckRedirect = nil
	return client
}

// installSynced installs the shop (installShop) and returns it once its
// install's catalog sync has stored the T-shirt.
func installSynced(t *testing.T, m *Main, fake *shopifytest.Fake) *stockbell.Shop {
	t.Helper()
	installShop(t, m, fake)
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the catalog sync", func() bool {
		_, err := m.DB.FindVariant(context.Background(), shop.ID, "642667041472713922")
		return err == nil
	})
	return shop
}

// eventually polls cond every eventuallyPoll for up to 30 s (jobs run in
// River); on time-out it logs the server's jobs and events to show where it
// stopped.
func eventually(t *testing.T, m *Main, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			logJobsAndEvents(t, m)
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(eventuallyPoll)
	}
}

// eventuallyPoll is how often eventually asks again. A job is done in
// milliseconds once River has fetched it, and a test waits on several in
// a row: at 100 ms each wait overshot by 50 ms on average. A condition is
// one or two small queries, cheap at this rate.
const eventuallyPoll = 10 * time.Millisecond

// untilNoJobOf waits until no job of the kind is waiting or running, so
// that a job of that kind inserted next runs after what the test did
// before: a platform's reconciliation queues one job per store, unique by
// store, and a store's job already running (the one the server queues at
// start-up, late under load) could have read the platform before the
// test's change and would make the next one a duplicate.
func untilNoJobOf(t *testing.T, m *Main, kind string) {
	t.Helper()
	eventually(t, m, "no "+kind+" job waiting or running", func() bool {
		var n int
		err := m.DB.DB.Get(&n, m.DB.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ?
			AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`), kind)
		return err == nil && n == 0
	})
}

func logJobsAndEvents(t *testing.T, m *Main) {
	var jobs []struct {
		Kind    string `db:"kind"`
		State   string `db:"state"`
		Attempt int    `db:"attempt"`
	}
	m.DB.DB.Select(&jobs, `SELECT kind, state, attempt FROM river_job ORDER BY id`)
	for _, j := range jobs {
		t.Logf("job %s: %s after %d attempt(s)", j.Kind, j.State, j.Attempt)
	}
	var events []*stockbell.Event
	shops, _, _ := m.DB.FindShops(context.Background(), stockbell.ShopFilter{})
	for _, shop := range shops {
		of, _, _ := m.DB.FindEvents(context.Background(), stockbell.EventFilter{ShopID: &shop.ID, Limit: 100})
		events = append(events, of...)
	}
	for i := len(events) - 1; i >= 0; i-- {
		t.Logf("event %s %s", events[i].Kind, events[i].Detail)
	}
}

func sendWebhook(t *testing.T, m *Main, fake *shopifytest.Fake, d shopifytest.Webhook) {
	t.Helper()
	d.Shop = e2eShop
	resp, err := fake.SendWebhook(m.URL()+"/webhooks/shopify", d)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook %s answered %d", d.Topic, resp.StatusCode)
	}
}

func levelUpdate(locationID int64, available int, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"inventory_item_id":1070325040,"location_id":%d,"available":%d,"updated_at":%q,
		"admin_graphql_api_id":"gid://shopify/InventoryLevel/%d?inventory_item_id=1070325040"}`, locationID, available, at.Format(time.RFC3339Nano), locationID))
}

// TestShopifyInstallToRestockNotification runs the whole Shopify path on
// the real server: install through OAuth, catalog sync and webhook
// registration jobs, a shopper's subscription, then a restock at the
// point-of-sale location delivered by signed webhook (twice, and with an
// older update arriving late) notifying the subscriber through the engine;
// then a products/update without the small size marks it deleted.
func TestShopifyInstallToRestockNotification(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { installToRestockNotification(t, dbURL) })
	}
}

func installToRestockNotification(t *testing.T, dbURL string) {
	m, fake := shopifyServer(t, dbURL)
	shop := installSynced(t, m, fake)
	ctx := context.Background()
	eventually(t, m, "webhook registration", func() bool {
		var n int
		fake.Do(e2eShop, func(s *shopifytest.Shop) { n = len(s.Webhooks) })
		return n > 0
	})
	sub, created, err := m.DB.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID,
		VariantID: mustVariant(t, m, shop).ID, Email: "jane@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
	if err != nil || !created {
		t.Fatal(err)
	}

	// Shopify's state changes first, then it tells us.
	fake.SetLevel(e2eShop, 1070325040, 99000001, 2)
	now := time.Now().UTC()
	restock := shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelUpdate(99000001, 2, now), EventID: "evt-restock-1", WebhookID: "wh-restock-1"}
	sendWebhook(t, m, fake, restock)
	sendWebhook(t, m, fake, restock) // Shopify's retry of the same event
	sendWebhook(t, m, fake, shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelUpdate(99000001, 0, now.Add(-time.Minute))})

	eventually(t, m, "the subscriber to be notified", func() bool {
		got, err := m.DB.FindSubscriptionByID(ctx, sub.ShopID, sub.ID)
		return err == nil && got.Status == stockbell.SubscriptionNotified
	})
	if v := mustVariant(t, m, shop); v.Stock != 2 {
		t.Errorf("stock = %d after a restock of 2 and a late older update, want 2", v.Stock)
	}
	var receipts int
	m.DB.DB.Get(&receipts, `SELECT COUNT(*) FROM webhook_receipts WHERE topic = 'inventory_levels/update'`)
	if receipts != 2 {
		t.Errorf("%d inventory receipts stored, want 2 (the retry is deduplicated)", receipts)
	}
	eventually(t, m, "the subscriber's message sent (by the development sender)", func() bool {
		msgs, _, err := m.DB.FindMessages(ctx, stockbell.MessageFilter{ShopID: &sub.ShopID, SubscriptionID: &sub.ID})
		return err == nil && len(msgs) == 1 && msgs[0].Status == stockbell.MessageSent && msgs[0].ProviderID != ""
	})
	shopifyVariantRemoved(t, m, fake, shop)
}

func mustVariant(t *testing.T, m *Main, shop *stockbell.Shop) *stockbell.VariantWithProduct {
	t.Helper()
	v, err := m.DB.FindVariant(context.Background(), shop.ID, "642667041472713922")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

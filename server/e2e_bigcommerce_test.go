package main

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
)

const (
	e2eStore                   = "e2ebells"
	e2eShirt, e2eSmall, e2eSKU = int64(167), int64(509), int64(461)
	e2eWarehouse, e2eShopFloor = int64(1), int64(2)
	e2eStorefront              = "bells.example"
)

var e2eOwner = bigcommercetest.User{ID: 9128, Email: "owner@bells.example"}

// bigCommerceServer starts the real server against a loopback BigCommerce
// whose store sells a shirt whose small size is sold out at both locations.
func bigCommerceServer(t *testing.T) (*Main, *bigcommercetest.Fake) {
	return bigCommerceServerOn(t, "")
}

// bigCommerceServerOn is bigCommerceServer on the database at dbURL (the
// default SQLite file when empty).
func bigCommerceServerOn(t *testing.T, dbURL string) (*Main, *bigcommercetest.Fake) {
	return bigCommerceServerWith(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
}

// bigCommerceServerWith is bigCommerceServer with more of the server's
// environment (its public URL: http on the server's address by default).
func bigCommerceServerWith(t *testing.T, vars map[string]string) (*Main, *bigcommercetest.Fake) {
	fake := bigcommercetest.New()
	t.Cleanup(fake.Close)
	fake.Do(e2eStore, func(s *bigcommercetest.Store) {
		s.Name, s.Domain = "Bells", e2eStorefront
		s.Products = []*bigcommercetest.Product{{ID: e2eShirt, Name: "Sample Shirt", URL: "/sample-shirt/", Visible: true,
			Availability: "available", Tracking: "variant", Price: "19.99", Modified: time.Now().Add(-time.Hour),
			Variants: []*bigcommercetest.Variant{{ID: e2eSmall, SKUID: e2eSKU, SKU: "SHIRT-S", Options: []string{"Small"},
				Levels: map[int64]int{e2eWarehouse: 0, e2eShopFloor: 0}}}}}
	})
	env := map[string]string{
		"BIGCOMMERCE_CLIENT_ID": fake.ClientID, "BIGCOMMERCE_CLIENT_SECRET": fake.ClientSecret,
		"STOCKBELL_BIGCOMMERCE_LOGIN_URL": fake.URL(), "STOCKBELL_BIGCOMMERCE_API_URL": fake.URL(),
	}
	maps.Copy(env, vars)
	return startServerAt(t, env), fake
}

// postEvent delivers a store event as BigCommerce does and returns the
// answer's status and whether the server called it a duplicate.
func postEvent(t *testing.T, m *Main, d *bigcommercetest.Delivery) (int, bool) {
	t.Helper()
	resp, err := d.Post(m.URL() + bigcommerce.WebhookPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Duplicate bool `json:"duplicate"`
	}
	json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Duplicate
}

func event(t *testing.T, fake *bigcommercetest.Fake, scope string, data any) *bigcommercetest.Delivery {
	t.Helper()
	d, err := fake.Event(e2eStore, scope, data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBigCommerceInstallToRestockNotification runs BigCommerce on the real
// server: the control panel's install callback (code exchanged at the
// fake's token endpoint) opens the admin; the hooks and catalog jobs run;
// a shopper subscribes by the storefront's domain and the v3 variant id;
// a restock webhook carrying the store's secret header (then BigCommerce's
// retry of it, then an order-driven relative update) is verified, read
// again from the API and notifies the subscriber through the engine; a
// variant removed from the shirt is marked deleted (bigCommerceVariantRemoved); load
// opens the admin again; uninstall stops everything.
func TestBigCommerceInstallToRestockNotification(t *testing.T) {
	m, fake := bigCommerceServer(t)
	ctx := context.Background()
	browser := noRedirectClient()
	resp, err := browser.Get(m.URL() + "/auth/bigcommerce/callback?" + fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("install answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, body := adminPage(t, browser, m); status != http.StatusOK || !strings.Contains(body, e2eOwner.Email) {
		t.Fatalf("the admin after install: %d", status)
	}
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+e2eStore)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "hooks and the catalog", func() bool {
		hooks := 0
		fake.Do(e2eStore, func(s *bigcommercetest.Store) { hooks = len(s.Hooks) })
		_, err := m.DB.FindVariant(ctx, shop.ID, "509")
		got, _ := m.DB.FindShopByID(ctx, shop.ID)
		return hooks == len(bigcommerce.SubscribedScopes) && err == nil && got.PrimaryDomain == e2eStorefront
	})
	if status := subscribe(t, m, e2eStorefront, "509", "ada@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription answered %d", status)
	}

	// BigCommerce's state changes, then it tells us; the hint (99) is not the level.
	fake.SetVariantLevel(e2eStore, e2eSmall, e2eShopFloor, 3)
	restock := event(t, fake, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(e2eSKU, e2eShirt, e2eSmall, "absolute", 99))
	if status, dup := postEvent(t, m, restock); status != http.StatusOK || dup {
		t.Fatalf("restock webhook: %d duplicate=%v", status, dup)
	}
	if status, dup := postEvent(t, m, restock); status != http.StatusOK || !dup {
		t.Fatalf("BigCommerce's retry: %d duplicate=%v", status, dup)
	}
	eventually(t, m, "the subscriber's message sent", func() bool {
		subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &shop.ID})
		if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionNotified {
			return false
		}
		msgs, _, err := m.DB.FindMessages(ctx, stockbell.MessageFilter{ShopID: &subs[0].ShopID, SubscriptionID: &subs[0].ID})
		return err == nil && len(msgs) == 1 && msgs[0].Status == stockbell.MessageSent
	})
	// The dashboard counts the restock the webhook's read of the product brought.
	days, err := m.DB.DailyActivity(ctx, shop.ID, time.Now().Add(-time.Hour), time.Now())
	restocks, batches := 0, 0
	for _, d := range days {
		restocks, batches = restocks+d.Restocks, batches+d.Batches
	}
	if err != nil || restocks != 1 || batches != 1 {
		t.Errorf("the dashboard counts %d restocks and %d batches (%v), want 1 and 1", restocks, batches, err)
	}

	// An order takes one: the relative update is read back as 2.
	fake.SetVariantLevel(e2eStore, e2eSmall, e2eShopFloor, 2)
	order := event(t, fake, bigcommerce.ScopeSKUInventoryOrder, bigcommercetest.SKUInventory(e2eSKU, e2eShirt, e2eSmall, "relative", -1))
	if status, dup := postEvent(t, m, order); status != http.StatusOK || dup {
		t.Fatalf("order-driven webhook: %d duplicate=%v", status, dup)
	}
	eventually(t, m, "the order-driven update", func() bool {
		v, err := m.DB.FindVariant(ctx, shop.ID, "509")
		return err == nil && v.Stock == 2
	})
	var receipts int
	m.DB.DB.Get(&receipts, `SELECT COUNT(*) FROM webhook_receipts WHERE platform = 'bigcommerce'`)
	if receipts != 2 {
		t.Errorf("%d receipts stored, want 2 (the retry is deduplicated)", receipts)
	}
	bigCommerceVariantRemoved(t, m, fake, shop)

	// Load opens the admin for the owner; uninstall stops everything.
	loader := noRedirectClient()
	load := url.Values{"signed_payload_jwt": {fake.SignedPayloadJWT(e2eStore, e2eOwner)}}.Encode()
	if resp, err := loader.Get(m.URL() + "/auth/bigcommerce/load?" + load); err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("load: %v %v", resp, err)
	}
	if status, _ := adminPage(t, loader, m); status != http.StatusOK {
		t.Fatalf("the admin after load: %d", status)
	}
	uninstall := url.Values{"signed_payload_jwt": {fake.Uninstall(e2eStore, e2eOwner)}}.Encode()
	resp, err = http.Get(m.URL() + "/auth/bigcommerce/uninstall?" + uninstall)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("uninstall: %v %v", resp, err)
	}
	if got, _ := m.DB.FindShopByID(ctx, shop.ID); got.Active() || got.SealedToken != nil {
		t.Fatalf("after uninstall: %+v", got)
	}
	if status, _ := adminPage(t, loader, m); status != http.StatusUnauthorized {
		t.Errorf("the session the load opened, after uninstall: the admin answered %d, want 401", status)
	}
	late := event(t, fake, bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(e2eShirt))
	if status, _ := postEvent(t, m, late); status != http.StatusUnauthorized {
		t.Fatalf("a webhook after uninstall answered %d, want 401", status)
	}
}

func adminPage(t *testing.T, client *http.Client, m *Main) (int, string) {
	t.Helper()
	resp, err := client.Get(m.URL() + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Without BIGCOMMERCE_CLIENT_ID the BigCommerce routes are not served.
func TestBigCommerceRoutesNeedAClientID(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	for _, path := range []string{"/auth/bigcommerce/callback", "/auth/bigcommerce/load", "/auth/bigcommerce/uninstall", "/auth/bigcommerce/remove_user"} {
		if status, _ := get(t, m.URL()+path); status != http.StatusNotFound {
			t.Errorf("GET %s answered %d, want 404", path, status)
		}
	}
	resp, err := http.Post(m.URL()+bigcommerce.WebhookPath, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST %s answered %d", bigcommerce.WebhookPath, resp.StatusCode)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// The tee's configurable attribute, size, and the option ids of its small
// and medium sizes: the small tee's page is the tee's with
// #144=167, from which Magento's storefront selects that size.
const (
	teeSize   = int64(144)
	teeSmall  = int64(167)
	teeMedium = int64(168)
)

// magentoStore starts a loopback Magento store selling a configurable tee
// (its small size sold out) and a sold-out mug, behind 101 products hidden
// from the catalog so that the catalog is read in two pages.
func magentoStore(t *testing.T) *magentotest.Fake {
	fake := magentotest.New()
	t.Cleanup(fake.Close)
	hour := time.Now().Add(-time.Hour)
	fake.Do(func(f *magentotest.Fake) {
		f.Products = []*magentotest.Product{
			{ID: 10, SKU: "TEE", Name: "Tee", Type: "configurable", Visibility: 4, Status: 1, URLKey: "tee", UpdatedAt: hour,
				Options: []magentotest.Option{{AttributeID: teeSize, Code: "size", Label: "Size"}},
				Children: []*magentotest.Product{
					{ID: 11, SKU: "TEE-S", Name: "Tee S", Type: "simple", Visibility: 1, Status: 1, Price: 19.5, ManageStock: true, UpdatedAt: hour,
						Values: map[string]int64{"size": teeSmall}},
					{ID: 12, SKU: "TEE-M", Name: "Tee M", Type: "simple", Visibility: 1, Status: 1, Price: 19.5, Qty: 5, InStock: true, ManageStock: true, UpdatedAt: hour,
						Values: map[string]int64{"size": teeMedium}}}},
			{ID: 20, SKU: "MUG", Name: "Mug", Type: "simple", Visibility: 4, Status: 1, Price: 8, URLKey: "mug", ManageStock: true, UpdatedAt: hour},
		}
		for i := range 101 {
			f.Products = append(f.Products, &magentotest.Product{ID: int64(100 + i), SKU: fmt.Sprintf("HIDDEN-%d", i), Type: "simple", Visibility: 1, Status: 1})
		}
	})
	return fake
}

func magentoServer(t *testing.T, dbURL string) *Main {
	return startServerAt(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
}

// postStock posts a stock change as the Stockbell module does, signed with
// secret at signedAt for the store named in X-Stockbell-Shop.
func postStock(t *testing.T, m *Main, shopHeader, secret string, signedAt time.Time, body map[string]any) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, m.URL()+magento.WebhookPath, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(magento.ShopHeader, shopHeader)
	req.Header.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(secret, signedAt, raw))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func activate(t *testing.T, m *Main, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(m.URL()+"/auth/magento/callback", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var moduleSecretOnPage = regexp.MustCompile(`id="module-secret">([0-9a-f]{64})<`)

// TestMagentoActivationToRestockNotification runs Magento on the real
// server, on both databases: an activation whose signature the store
// refuses creates nothing; the activation's OAuth 1.0a exchange (checked
// by the store), the catalog read in pages with the configurable's
// children as variants, the identity link signing the merchant in and
// showing the module's secret, a shopper's subscription, and a signed
// module post that notifies the subscriber through the engine; then every
// bad post, a missed post recovered by reconciliation, and a size removed
// from the tee marked deleted by the catalog sync (childRemoved).
func TestMagentoActivationToRestockNotification(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { testMagentoE2E(t, dbURL) })
	}
}

func testMagentoE2E(t *testing.T, dbURL string) {
	ctx := context.Background()
	fake := magentoStore(t)
	m := magentoServer(t, dbURL)
	bad := fake.ActivationForm()
	bad.Set("oauth_consumer_secret", "not-the-secret-the-store-issued")
	if status, body := activate(t, m, bad); status != http.StatusUnauthorized || !strings.Contains(body, "signature is invalid") {
		t.Fatalf("an activation the store refuses answered %d: %s", status, body)
	}
	if _, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformMagento, fake.Domain()); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Fatalf("a refused activation left a shop: %v", err)
	}
	missing := fake.ActivationForm()
	missing.Del("oauth_verifier")
	if status, body := activate(t, m, missing); status != http.StatusBadRequest || !strings.Contains(body, "oauth_verifier") {
		t.Fatalf("an activation without a verifier answered %d: %s", status, body)
	}

	if status, body := activate(t, m, fake.ActivationForm()); status != http.StatusOK || !fake.AccessGranted() {
		t.Fatalf("activation answered %d: %s", status, body)
	}
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformMagento, fake.Domain())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the catalog with the tee's sizes and the mug", func() bool {
		small, err1 := m.DB.FindVariant(ctx, shop.ID, "TEE-S")
		medium, err2 := m.DB.FindVariant(ctx, shop.ID, "TEE-M")
		_, err3 := m.DB.FindVariant(ctx, shop.ID, "MUG")
		synced, _, err4 := m.DB.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &[]stockbell.EventKind{stockbell.EventSyncFinished}[0]})
		return err1 == nil && err2 == nil && err3 == nil && err4 == nil && len(synced) == 1 &&
			small.SoldOut() && medium.Stock == 5 && small.ProductPlatformID == "10"
	})
	// The daily catalog sync, run when the queue's leader starts and then
	// daily, may come at any point of the activation: before it (no
	// store yet), while its sync is queued or running (the same unique
	// job), or after it, as run once more here: the store's catalog has
	// just been read, and is not read again.
	if err := m.Queue.Insert(ctx, stockbell.MagentoCatalogSyncJob{}, nil); err != nil {
		t.Fatal(err)
	}
	untilNoJobOf(t, m, stockbell.MagentoCatalogSyncJob{}.Kind())
	fake.Do(func(f *magentotest.Fake) {
		if f.Requests["/products"] != 2 {
			t.Errorf("the catalog was read in %d pages, want one sync's 2", f.Requests["/products"])
		}
	})

	secret := identity(t, m, fake)
	if status := subscribe(t, m, fake.Domain(), "TEE-S", "ada@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription answered %d", status)
	}
	badPosts(t, m, fake, shop, secret)
	t.Run("a post signed by the module's own signer", func(t *testing.T) { moduleSignedPost(t, m, fake, shop, secret) })
	t.Run("a post by the module's own poster", func(t *testing.T) { modulePoster(t, m, fake, shop, secret) })
	t.Run("a post the module re-sends after its answer was lost", func(t *testing.T) { moduleResendsAPostStockbellHad(t, m, fake, secret) })
	t.Run("a post the module signs with another secret", func(t *testing.T) { moduleRefusedForAWrongSecret(t, m, fake) })

	// Magento saves the small size back in stock; the module posts it.
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[0].Qty, f.Products[0].Children[0].InStock = 3, true })
	restock := map[string]any{"shop": fake.Domain(), "sku": "TEE-S", "qty": 3, "is_in_stock": true, "source": "default",
		"updated_at": time.Now().UTC().Format(time.DateTime)}
	if status, body := postStock(t, m, fake.Domain(), secret, time.Now(), restock); status != http.StatusOK {
		t.Fatalf("the module's post answered %d: %s", status, body)
	}
	notified(t, m, shop, "TEE-S")
	if link := alertLink(t, m, shop); link.Path != "/tee.html" || link.Fragment != fmt.Sprintf("%d=%d", teeSize, teeSmall) {
		t.Errorf("the small tee's alert opens %s, want the tee's page with the small size selected", link)
	}

	// A post the module never made: reconciliation reads the mug's stock.
	if status := subscribe(t, m, fake.Domain(), "MUG", "bob@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription to the mug answered %d", status)
	}
	untilNoJobOf(t, m, stockbell.MagentoReconcileJob{}.Kind())
	fake.Do(func(f *magentotest.Fake) { f.Products[1].Qty, f.Products[1].InStock = 2, true })
	if err := m.Queue.Insert(ctx, stockbell.MagentoReconcileJob{}, nil); err != nil {
		t.Fatal(err)
	}
	notified(t, m, shop, "MUG")
	childRemoved(t, m, fake, shop)
}

// identity opens the identity link as the merchant's browser: it is signed
// in to the admin and shown the module's secret; a success_call_back off
// the store is refused.
func identity(t *testing.T, m *Main, fake *magentotest.Fake) string {
	t.Helper()
	form := fake.ActivationForm()
	browser := noRedirectClient()
	link := func(back string) string {
		return m.URL() + "/auth/magento/identity?" + url.Values{"oauth_consumer_key": {form.Get("oauth_consumer_key")}, "success_call_back": {back}}.Encode()
	}
	if status, _ := get(t, link("https://evil.example/steal")); status != http.StatusBadRequest {
		t.Errorf("identity with a foreign success_call_back answered %d, want 400", status)
	}
	back := fake.URL() + "/admin/admin/integration/tokensExchange/"
	resp, err := browser.Get(link(back))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	found := moduleSecretOnPage.FindStringSubmatch(string(page))
	if resp.StatusCode != http.StatusOK || found == nil || !strings.Contains(string(page), `href="`+back+`"`) {
		t.Fatalf("identity answered %d: %s", resp.StatusCode, page)
	}
	if status, body := adminPage(t, browser, m); status != http.StatusOK || !strings.Contains(body, fake.Domain()) {
		t.Fatalf("the admin after identity answered %d", status)
	}
	return found[1]
}

// badPosts sends every refused post; none is stored. An unknown SKU is
// accepted and recorded in the shop's sync log.
func badPosts(t *testing.T, m *Main, fake *magentotest.Fake, shop *stockbell.Shop, secret string) {
	t.Helper()
	now := time.Now()
	change := map[string]any{"shop": fake.Domain(), "sku": "TEE-S", "qty": 9, "is_in_stock": true, "source": "default",
		"updated_at": now.UTC().Format(time.DateTime)}
	other := map[string]any{"shop": "another-store.example", "sku": "TEE-S", "qty": 9, "is_in_stock": true}
	for _, c := range []struct {
		name   string
		shop   string
		secret string
		at     time.Time
		body   map[string]any
		status int
	}{
		{"a wrong secret", fake.Domain(), "0123456789abcdef", now, change, http.StatusUnauthorized},
		{"signed six minutes ago", fake.Domain(), secret, now.Add(-6 * time.Minute), change, http.StatusUnauthorized},
		{"an unknown store", "unknown.example", secret, now, change, http.StatusUnauthorized},
		{"a body about another store", fake.Domain(), secret, now, other, http.StatusBadRequest},
	} {
		if status, body := postStock(t, m, c.shop, c.secret, c.at, c.body); status != c.status {
			t.Errorf("a post with %s answered %d, want %d: %s", c.name, status, c.status, body)
		}
	}
	var receipts int
	m.DB.DB.Get(&receipts, `SELECT COUNT(*) FROM webhook_receipts WHERE platform = 'magento'`)
	if receipts != 0 {
		t.Fatalf("%d refused posts were stored", receipts)
	}
	if v, _ := m.DB.FindVariant(context.Background(), shop.ID, "TEE-S"); v.Stock != 0 {
		t.Fatalf("a refused post changed the stock to %d", v.Stock)
	}
	unknown := map[string]any{"sku": "NOT-IN-CATALOG", "qty": 1, "is_in_stock": true}
	if status, body := postStock(t, m, fake.Domain(), secret, now, unknown); status != http.StatusOK {
		t.Fatalf("a post for an unknown SKU answered %d: %s", status, body)
	}
	eventually(t, m, "the unknown SKU in the sync log", func() bool {
		events, _, err := m.DB.FindSyncLog(context.Background(), stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &[]stockbell.EventKind{stockbell.EventSyncItemRejected}[0]})
		return err == nil && len(events) == 1 && strings.Contains(events[0].Detail, "NOT-IN-CATALOG")
	})
}

// notified waits until the variant's one subscriber was sent its message.
func notified(t *testing.T, m *Main, shop *stockbell.Shop, sku string) {
	t.Helper()
	ctx := context.Background()
	eventually(t, m, sku+"'s subscriber notified", func() bool {
		v, err := m.DB.FindVariant(ctx, shop.ID, sku)
		if err != nil {
			return false
		}
		subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &shop.ID, VariantID: &v.ID})
		if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionNotified {
			return false
		}
		msgs, _, err := m.DB.FindMessages(ctx, stockbell.MessageFilter{ShopID: &subs[0].ShopID, SubscriptionID: &subs[0].ID})
		return err == nil && len(msgs) == 1 && msgs[0].Status == stockbell.MessageSent
	})
}

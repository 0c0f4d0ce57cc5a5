package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

const (
	shopDomain   = "super-toys.myshopify.com"
	warehouse    = int64(24826418)
	pointOfSale  = int64(655441491)
	productID    = int64(788032119674292922)
	smallVariant = int64(642667041472713922)
	smallItem    = int64(271878346596884015)
	mediumItem   = int64(418113932617003942)
)

// env is the Shopify integration on a real database, talking to the fake.
type env struct {
	t        *testing.T
	db       *store.DB
	clock    *shopifytest.Clock
	fake     *shopifytest.Fake
	in       *shopify.Integration
	tokens   *oauth.Shopify
	hooks    *shopify.WebhookVerifier
	web      http.Handler
	registry *integrations.Registry
	dataDir  string
}

func newEnv(t *testing.T, db *store.DB) *env {
	clock := shopifytest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = clock
	fake := shopifytest.New(clock)
	t.Cleanup(fake.Close)
	cfg := stockbell.ShopifyConfig{
		APIKey: fake.APIKey, APISecret: fake.Secret, Scopes: stockbell.DefaultShopifyScopes,
		AppURL: "https://app.example", AdminURL: fake.AdminURL(),
	}
	logger := slog.New(slog.DiscardHandler)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	admin := shopify.NewAdminClient(cfg, clock, logger)
	admin.Sleep = clock.Sleep
	e := &env{t: t, db: db, clock: clock, fake: fake, dataDir: t.TempDir()}
	e.in = &shopify.Integration{
		Config: cfg, Shops: db, Catalog: db, Privacy: db, Conversions: db, Jobs: db.Queue.(stockbell.JobInserter), SyncLog: db,
		Sealer: sealer, Admin: admin, Clock: clock, Logger: logger,
		DataRequests: &shopify.FileDataRequests{Dir: e.dataDir, Logger: logger},
	}
	e.tokens = oauth.NewShopify(cfg, db, sealer, clock, logger)
	e.in.Tokens = e.tokens
	e.hooks = &shopify.WebhookVerifier{Config: cfg}
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	server.RegisterWebhook(stockbell.PlatformShopify, e.hooks, db)
	e.web = server.Handler()
	e.registry = integrations.NewRegistry(db, logger)
	e.registry.Register(stockbell.PlatformShopify, e.in)
	return e
}

// install gives the fake shop a token and installs the shop with it sealed.
func (e *env) install() *stockbell.Shop {
	token := "shpat_test_token"
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = token, "read_products,read_inventory" })
	shop, err := e.db.InstallShop(context.Background(), stockbell.ShopInstall{
		Platform: stockbell.PlatformShopify, Domain: shopDomain, Name: "Super Toys", Seal: stockbell.SealToken(e.in.Sealer, token), Scopes: "read_products,read_inventory",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return shop
}

// stockTShirt puts the example T-shirt in the fake: Small is tracked and
// sold out at a warehouse and a point-of-sale location; Medium is untracked
// and keeps selling.
func (e *env) stockTShirt() {
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		s.Products = append(s.Products, &shopifytest.Product{
			ID: productID, Title: "Example T-Shirt", Handle: "example-t-shirt", Status: "ACTIVE", Published: true,
			ImageURL: "https://cdn.example/shirt.png", UpdatedAt: e.clock.Now().Add(-time.Hour),
			Variants: []*shopifytest.Variant{
				{ID: smallVariant, Title: "Small", SKU: "example-shirt-s", Price: "19.99", Policy: "DENY",
					InventoryItemID: smallItem, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse}, {LocationID: pointOfSale}}},
				{ID: 757650484644203962, Title: "Medium", SKU: "example-shirt-m", Price: "19.99", Policy: "CONTINUE",
					InventoryItemID: mediumItem, Tracked: false},
			},
		})
	})
}

// send sends a signed webhook through the server's webhook route.
func (e *env) send(d shopifytest.Webhook) *http.Response {
	return e.serve(e.webhookRequest(d))
}

// webhookRequest is the signed request of a webhook to the server's route.
func (e *env) webhookRequest(d shopifytest.Webhook) *http.Request {
	if d.Shop == "" {
		d.Shop = shopDomain
	}
	req, err := e.fake.WebhookRequest("http://stockbell.test/webhooks/shopify", d)
	if err != nil {
		e.t.Fatal(err)
	}
	return req
}

func (e *env) serve(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	e.web.ServeHTTP(rec, req)
	return rec.Result()
}

// mustSend sends and expects 200.
func (e *env) mustSend(d shopifytest.Webhook) {
	if res := e.send(d); res.StatusCode != http.StatusOK {
		e.t.Fatalf("send %s: status %d", d.Topic, res.StatusCode)
	}
}

// mustSendWithoutTriggeredAt is mustSend for a webhook without
// X-Shopify-Triggered-At, whose receipt then has only its receive time.
func (e *env) mustSendWithoutTriggeredAt(d shopifytest.Webhook) {
	req := e.webhookRequest(d)
	req.Header.Del("X-Shopify-Triggered-At")
	if res := e.serve(req); res.StatusCode != http.StatusOK {
		e.t.Fatalf("send %s without its triggered-at: status %d", d.Topic, res.StatusCode)
	}
}

// trySend is mustSend and runWebhookJobs for another goroutine than the
// test's: it returns what went wrong.
func (e *env) trySend(d shopifytest.Webhook) error {
	if res := e.send(d); res.StatusCode != http.StatusOK {
		return fmt.Errorf("send %s: status %d", d.Topic, res.StatusCode)
	}
	var ids []int64
	if err := e.db.DB.Select(&ids, `SELECT id FROM webhook_receipts WHERE processed_at IS NULL ORDER BY id`); err != nil {
		return err
	}
	for _, id := range ids {
		if err := e.registry.ProcessReceipt(context.Background(), stockbell.ProcessReceiptJob{ReceiptID: id}); err != nil {
			return fmt.Errorf("process receipt %d: %w", id, err)
		}
	}
	return nil
}

// runWebhookJobs processes the stored receipts not yet processed, in
// arrival order, as the queue's process_receipt worker would.
func (e *env) runWebhookJobs() {
	var ids []int64
	if err := e.db.DB.Select(&ids, `SELECT id FROM webhook_receipts WHERE processed_at IS NULL ORDER BY id`); err != nil {
		e.t.Fatal(err)
	}
	for _, id := range ids {
		if err := e.registry.ProcessReceipt(context.Background(), stockbell.ProcessReceiptJob{ReceiptID: id}); err != nil {
			e.t.Fatalf("process receipt %d: %v", id, err)
		}
	}
}

// variant returns the stored variant and its levels by location.
func (e *env) variant(shopID, platformID int64) (*stockbell.VariantWithProduct, map[string]int) {
	v, err := e.db.FindVariant(context.Background(), shopID, itoa(platformID))
	if err != nil {
		e.t.Fatalf("find variant %d: %v", platformID, err)
	}
	levels, err := e.db.FindInventoryLevels(context.Background(), v.ShopID, v.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range levels {
		out[l.LocationID] = l.Available
	}
	return v, out
}

// queueSubscriber adds a queued email subscription to a variant. (Written
// in SQL until the store's subscription service lands.)
func (e *env) queueSubscriber(shopID, variantID int64, email string) {
	now := e.db.Clock.Now()
	_, err := e.db.DB.Exec(e.db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
		VALUES (?, ?, ?, 'email', 'queued', ?, ?)`), shopID, variantID, email, now, now)
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) count(query string, args ...any) int {
	var n int
	if err := e.db.DB.Get(&n, e.db.DB.Rebind(query), args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func readTestdata(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func levelBody(item, location int64, available int, updatedAt time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"inventory_item_id": item, "location_id": location, "available": available,
		"updated_at":           updatedAt.Format(time.RFC3339),
		"admin_graphql_api_id": "gid://shopify/InventoryLevel/" + itoa(location) + "?inventory_item_id=" + itoa(item),
	})
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/web"
)

// TestEveryJobKindHasAWorker: every job kind the root package declares
// (a Kind method returning a literal) has a handler registered by the
// server's wiring, with every platform configured. A kind without one
// would be inserted and never run.
func TestEveryJobKindHasAWorker(t *testing.T) {
	declared := declaredJobKinds(t, "..")
	if len(declared) < 5 {
		t.Fatalf("found only %d job kinds in the root package: %v", len(declared), declared)
	}
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	bc := bigcommercetest.New()
	t.Cleanup(bc.Close)
	m := startServer(t, testEnv(t, map[string]string{
		"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL(),
		"BIGCOMMERCE_CLIENT_ID": bc.ClientID, "BIGCOMMERCE_CLIENT_SECRET": bc.ClientSecret,
		"STOCKBELL_BIGCOMMERCE_LOGIN_URL": bc.URL(), "STOCKBELL_BIGCOMMERCE_API_URL": bc.URL(),
	}))
	registered := m.workers.Kinds()
	for _, kind := range declared {
		if !slices.Contains(registered, kind) {
			t.Errorf("job kind %q has no worker (registered: %v)", kind, registered)
		}
	}
}

// TestReceiptSweepIsPeriodic: the sweep that deletes processed webhook
// receipts past their retention is a periodic job of every server, whatever
// platforms are configured.
func TestReceiptSweepIsPeriodic(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	kind := stockbell.SweepReceiptsJob{}.Kind()
	if !slices.Contains(m.workers.PeriodicKinds(), kind) {
		t.Fatalf("periodic job kinds = %v, want %q among them", m.workers.PeriodicKinds(), kind)
	}
	if !slices.Contains(m.workers.Kinds(), kind) {
		t.Fatalf("job kind %q has no worker", kind)
	}
}

// TestDataRequestExpiryIsPeriodic: the expiry of customers' data request
// answers is a periodic job of every server, Shopify configured or not.
func TestDataRequestExpiryIsPeriodic(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	kind := stockbell.ExpireDataRequestsJob{}.Kind()
	if !slices.Contains(m.workers.PeriodicKinds(), kind) || !slices.Contains(m.workers.Kinds(), kind) {
		t.Fatalf("periodic kinds %v, kinds %v: want %q among both", m.workers.PeriodicKinds(), m.workers.Kinds(), kind)
	}
}

// TestPlatformCatalogSyncsArePeriodic: the platforms whose catalog sync
// is not retried after a refusal (Magento, PrestaShop: both always on)
// read every shop's catalog again on a schedule, so that a sync refused
// until the merchant grants a permission does not wait for the next
// connect.
func TestPlatformCatalogSyncsArePeriodic(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	for _, args := range []stockbell.JobArgs{stockbell.MagentoCatalogSyncJob{}, stockbell.PrestaShopCatalogSyncJob{}} {
		if !slices.Contains(m.workers.PeriodicKinds(), args.Kind()) {
			t.Errorf("periodic job kinds = %v, want %q among them", m.workers.PeriodicKinds(), args.Kind())
		}
	}
}

// TestWebhookPlatformCatalogSyncsArePeriodic: the platforms whose catalog
// changes arrive by webhooks alone (Shopify, BigCommerce) have the hourly
// fan-out of their daily catalog syncs, so that a webhook the platform gave
// up on is caught.
func TestWebhookPlatformCatalogSyncsArePeriodic(t *testing.T) {
	m := startServerAt(t, map[string]string{
		"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret", "STOCKBELL_SHOPIFY_ADMIN_URL": "http://127.0.0.1:1/{shop}",
		"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret",
		"STOCKBELL_BIGCOMMERCE_LOGIN_URL": "http://127.0.0.1:1", "STOCKBELL_BIGCOMMERCE_API_URL": "http://127.0.0.1:1",
	})
	for _, args := range []stockbell.JobArgs{stockbell.ShopifyCatalogSyncJob{}, stockbell.BigCommerceCatalogSyncJob{}} {
		if !slices.Contains(m.workers.PeriodicKinds(), args.Kind()) {
			t.Errorf("periodic job kinds = %v, want %q among them", m.workers.PeriodicKinds(), args.Kind())
		}
	}
}

// declaredJobKinds returns the literal results of the Kind methods in the
// Go package at dir.
func declaredJobKinds(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for name, pkg := range pkgs {
		if name != "stockbell" {
			continue
		}
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				if kind, ok := kindLiteral(decl); ok {
					kinds = append(kinds, kind)
				}
			}
		}
	}
	slices.Sort(kinds)
	return kinds
}

// kindLiteral reads `func (T) Kind() string { return "kind" }`.
func kindLiteral(decl ast.Decl) (string, bool) {
	fn, ok := decl.(*ast.FuncDecl)
	if !ok || fn.Recv == nil || fn.Name.Name != "Kind" || fn.Body == nil || len(fn.Body.List) != 1 {
		return "", false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "", false
	}
	lit, ok := ret.Results[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	kind, err := strconv.Unquote(lit.Value)
	return kind, err == nil
}

// TestShopifyRegistersWebhooksWhereWebServesThem: the address Shopify is
// told to post to is the route the web layer serves for it.
func TestShopifyRegistersWebhooksWhereWebServesThem(t *testing.T) {
	if shopify.WebhookPath != web.WebhookPath(stockbell.PlatformShopify) {
		t.Fatalf("Shopify registers %s, the web layer serves %s", shopify.WebhookPath, web.WebhookPath(stockbell.PlatformShopify))
	}
}

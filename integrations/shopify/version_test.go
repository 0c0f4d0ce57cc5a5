package shopify_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// TestAPIVersionIsPinnedEverywhere: the Admin API version is one constant;
// the app's and the theme extension's configuration (which Shopify CLI
// deploys: the webhooks' payload version and the extension's), the fake
// and the Shopify guide name the same one.
func TestAPIVersionIsPinnedEverywhere(t *testing.T) {
	want := `api_version = "` + shopify.APIVersion + `"`
	for _, file := range []string{"shopify.app.toml", "extensions/stockbell-embed/shopify.extension.toml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) || strings.Count(string(b), "api_version =") != 1 {
			t.Errorf("%s does not pin %s", file, want)
		}
	}
	if fake := shopifytest.New(shopifytest.NewClock(time.Now())); fake.APIVersion != shopify.APIVersion {
		t.Errorf("the fake answers version %s, the client asks for %s", fake.APIVersion, shopify.APIVersion)
	} else {
		fake.Close()
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "shopify.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(guide), "`"+shopify.APIVersion+"`") || !strings.Contains(string(guide), "/admin/api/"+shopify.APIVersion+"/graphql.json") {
		t.Errorf("docs/shopify.md does not name version %s", shopify.APIVersion)
	}
}

// TestDeprecatedFieldsAreLogged: Shopify names the deprecated fields a
// query asked for in X-Shopify-API-Deprecated-Reason; the client logs them
// as a warning, for the operator to upgrade before they go.
func TestDeprecatedFieldsAreLogged(t *testing.T) {
	clock := shopifytest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fake := shopifytest.New(clock)
	defer fake.Close()
	fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = "shpat_test", "read_products,read_inventory" })
	var logged bytes.Buffer
	admin := shopify.NewAdminClient(stockbell.ShopifyConfig{AdminURL: fake.AdminURL()}, clock, slog.New(slog.NewTextHandler(&logged, nil)))
	var out map[string]any
	deprecated := `query($id:ID!){ inventoryItem(id:$id){ id variant{ id } } }`
	if err := admin.Query(context.Background(), shopDomain, "shpat_test", deprecated, map[string]any{"id": "gid://shopify/InventoryItem/1"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "InventoryItem.variant") {
		t.Fatalf("log = %q, want a warning naming InventoryItem.variant", logged.String())
	}
}

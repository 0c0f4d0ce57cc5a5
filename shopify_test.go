package stockbell_test

import (
	"reflect"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

func TestShopifyAdminBase(t *testing.T) {
	cfg := stockbell.ShopifyConfig{AdminURL: stockbell.DefaultShopifyAdminURL}
	if base, err := cfg.AdminBase("toys.myshopify.com"); err != nil || base != "https://toys.myshopify.com" {
		t.Fatalf("admin base %q, %v", base, err)
	}
	if _, err := cfg.AdminBase("toys.myshopify.com.evil.example"); stockbell.ErrorField(err) != "shop" {
		t.Fatalf("an invalid shop got an admin URL: %v", err)
	}
}

func TestScopesCover(t *testing.T) {
	if missing := stockbell.ScopesCover("write_products,read_inventory", []string{"read_products", "read_inventory"}); len(missing) != 0 {
		t.Errorf("write_products should cover read_products: missing %v", missing)
	}
	if missing := stockbell.ScopesCover("read_products", []string{"read_products", "read_inventory"}); !reflect.DeepEqual(missing, []string{"read_inventory"}) {
		t.Errorf("missing = %v", missing)
	}
}

// TestShopifyEmbeddedAppURL: a page of the app opens under the store's
// name in the Shopify admin; a domain that is not a shop's gives no link.
func TestShopifyEmbeddedAppURL(t *testing.T) {
	for _, c := range []struct{ shop, page, want string }{
		{"bells.myshopify.com", "/admin/reports?from=2025-01-27&to=2025-02-02",
			"https://admin.shopify.com/store/bells/apps/client-1/admin/reports?from=2025-01-27&to=2025-02-02"},
		{"Bells.myshopify.com", "/admin", "https://admin.shopify.com/store/bells/apps/client-1/admin"},
		{"bells.example", "/admin", ""},
		{"evil.com/x.myshopify.com", "/admin", ""},
		{"bells.myshopify.com", "admin", ""},
	} {
		got, ok := stockbell.ShopifyEmbeddedAppURL(c.shop, "client-1", c.page)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ShopifyEmbeddedAppURL(%q, %q) = %q, %v; want %q", c.shop, c.page, got, ok, c.want)
		}
	}
}

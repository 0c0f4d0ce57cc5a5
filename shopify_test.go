package stockbell_test

import (
	"reflect"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestShopifyConfigFromEnv(t *testing.T) {
	cfg, err := stockbell.ShopifyConfigFromEnv(env(map[string]string{
		"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret", "SHOPIFY_APP_URL": "https://app.example/",
		"SCOPES": "read_products, read_inventory,read_orders",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"read_products", "read_inventory", "read_orders"}
	if cfg.AppURL != "https://app.example" || !reflect.DeepEqual(cfg.Scopes, want) || cfg.AdminURL != "https://{shop}" {
		t.Fatalf("cfg = %+v", cfg)
	}
	if base, err := cfg.AdminBase("toys.myshopify.com"); err != nil || base != "https://toys.myshopify.com" {
		t.Fatalf("admin base %q, %v", base, err)
	}
	if _, err := cfg.AdminBase("toys.myshopify.com.evil.example"); stockbell.ErrorField(err) != "shop" {
		t.Fatalf("an invalid shop got an admin URL: %v", err)
	}
	cases := map[string]map[string]string{
		"SHOPIFY_API_SECRET":          {"SHOPIFY_API_KEY": "k", "STOCKBELL_PUBLIC_URL": "https://a"},
		"STOCKBELL_PUBLIC_URL":        {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s"},
		"STOCKBELL_SHOPIFY_ADMIN_URL": {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", "STOCKBELL_SHOPIFY_ADMIN_URL": "http://127.0.0.1:1"},
		"SHOPIFY_SCOPES":              {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", "SHOPIFY_SCOPES": "read products;drop"},
	}
	for field, vars := range cases {
		if _, err := stockbell.ShopifyConfigFromEnv(env(vars)); stockbell.ErrorField(err) != field {
			t.Errorf("want an error naming %s, got %v", field, err)
		}
	}
	if cfg, err := stockbell.ShopifyConfigFromEnv(env(nil)); err != nil || cfg.Enabled() || !reflect.DeepEqual(cfg.Scopes, stockbell.DefaultShopifyScopes) {
		t.Fatalf("unset: %+v, %v", cfg, err)
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

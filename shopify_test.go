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

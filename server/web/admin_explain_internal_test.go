package web

import "testing"

// TestStockSourceNamesReadAsWords: where a stock change came from is
// written for a merchant, never as Stockbell's internal source name.
func TestStockSourceNamesReadAsWords(t *testing.T) {
	for source, want := range map[string]string{
		"shopify:inventory_levels/update":             "Shopify's inventory webhook",
		"shopify:products/update":                     "a Shopify webhook (products/update)",
		"shopify:reconcile":                           "Shopify stock check",
		"bigcommerce:store/product/inventory/updated": "a BigCommerce webhook (store/product/inventory/updated)",
		"bigcommerce:reconcile":                       "BigCommerce stock check",
		"magento:module":                              "Magento module's stock updates",
		"prestashop:catalog":                          "PrestaShop catalog sync",
		"feed":                                        "Catalog feed",
		"demo:inventory/restock":                      "the demo shop's Simulate restock",
	} {
		if got := stockSourceName(source); got != want {
			t.Errorf("%s reads %q, want %q", source, got, want)
		}
	}
}

// TestSettingsChangeNamesDoubleOptIn: turning email double opt-in on or
// off reads as such in the timeline, not as an unnamed change.
func TestSettingsChangeNamesDoubleOptIn(t *testing.T) {
	for _, c := range []struct {
		pair []any
		want string
	}{
		{[]any{false, true}, "Changed: email double opt-in turned on."},
		{[]any{true, false}, "Changed: email double opt-in turned off."},
	} {
		if got := settingsChangeWords(detail{"email_double_opt_in": c.pair}); got != c.want {
			t.Errorf("%v reads %q, want %q", c.pair, got, c.want)
		}
	}
}

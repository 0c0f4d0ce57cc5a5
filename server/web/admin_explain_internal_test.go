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

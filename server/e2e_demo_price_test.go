package main

import (
	"regexp"
	"testing"
)

// TestDemoPricesNameTheirCurrency: the demo product page shows its price
// with the demo shop's currency as an English reader writes it ("€89.00"),
// and so does the reorder advice on the demo shop's Reports page once a
// shopper waits (one shopper × the default 10% × 89.00).
func TestDemoPricesNameTheirCurrency(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	_, product := get(t, m.URL()+"/demo")
	if price := regexp.MustCompile(`<p class="price">([^<]*)</p>`).FindStringSubmatch(product); price == nil || price[1] != "€89.00" {
		t.Errorf("the demo product page's price: %q, want €89.00", price)
	}
	subscribeToDemo(t, m, "ann@example.com")
	_, reports := clientGet(t, demoAdminClient(t, m.URL()), m.URL()+"/admin/reports")
	if revenue := regexp.MustCompile(`data-label="Expected revenue">([^<]*)<`).FindStringSubmatch(reports); revenue == nil || revenue[1] != "€8.90" {
		t.Errorf("the reorder advice's expected revenue: %q, want €8.90", revenue)
	}
}

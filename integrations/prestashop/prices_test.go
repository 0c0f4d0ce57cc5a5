package prestashop_test

import (
	"encoding/json"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// taxedShirt gives the T-shirt a 20% tax rule: 19.90 before tax is 23.88
// to pay, the medium's 2.50 impact makes it 22.40 before tax, 26.88 to
// pay. A cap is 25% off for everyone, a scarf half price for signed-in
// customers (group 3) only.
func taxedShirt(s *prestashoptest.Shop) {
	for _, p := range s.Products {
		if p.ID == shirtID {
			p.TaxRate = "20.000"
		}
	}
	s.Products = append(s.Products, &prestashoptest.Product{ID: 4, Name: "Cap", Reference: "cap", Price: "10.000000", Active: true,
		Quantity: 2, TaxRate: "20.000", Reduction: "0.25"},
		&prestashoptest.Product{ID: 5, Name: "Scarf", Reference: "scarf", Price: "20.000000", Active: true,
			Quantity: 2, TaxRate: "20.000", Reduction: "0.5", ReductionGroup: 3})
}

// TestPricesAreTaxIncluded: each variant's price is the one PrestaShop's
// product page shows a visitor, tax included and after the catalog's
// reductions, as the webservice computes it in the listings themselves
// (no request per combination); a second shop's prices are its own.
func TestPricesAreTaxIncluded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e, other := newEnv(t, db), newEnv(t, db)
		e.fake.Do(taxedShirt)
		shop, _ := e.connected()
		otherShop, _ := other.connected()
		want := map[*stockbell.VariantWithProduct]string{
			e.variant(shop, shirtID, shirtSmall):           "23.88",
			e.variant(shop, shirtID, shirtMedium):          "26.88",
			e.variant(shop, 4, 0):                          "9.00",  // 12.00 with tax, 25% off
			e.variant(shop, 5, 0):                          "24.00", // a visitor's price: not the customers' reduction
			e.variant(shop, mugID, 0):                      "8.00",  // no tax rule
			other.variant(otherShop, shirtID, shirtMedium): "22.40",
		}
		for v, price := range want {
			if v.Price != price {
				t.Errorf("variant %s of shop %d costs %s, want %s", v.PlatformID, v.ShopID, v.Price, price)
			}
		}
		requests := e.fake.Requests()
		for _, r := range requests {
			if strings.Contains(r, "product_attribute") {
				t.Errorf("a price asked for one combination: %s", r)
			}
		}
		if got := countListings(requests, "combinations?"); got != 1 {
			t.Errorf("%d combination listings for one page of products, want 1", got)
		}
		if notice := syncNotice(t, e.syncLog(shop)[0]); notice != "" {
			t.Errorf("the sync says %q of prices PrestaShop computed", notice)
		}

		e.fake.Do(func(s *prestashoptest.Shop) { // a sale on the T-shirt, a tax rule for the mug
			s.Products[0].Reduction, s.Products[1].TaxRate = "0.5", "20.000"
		})
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.subscribe(shop, e.variant(shop, mugID, 0), "ada@example.com")
		must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
		if small, mug := e.variant(shop, shirtID, shirtSmall), e.variant(shop, mugID, 0); small.Price != "11.94" || mug.Price != "9.60" {
			t.Errorf("read again by the reconciliation, the small shirt on sale costs %s (want 11.94), the taxed mug %s (want 9.60)", small.Price, mug.Price)
		}
	})
}

// TestPricesBeforeTaxWhenTheWebserviceComputesNone: a webservice that
// ignores the price parameters, or refuses the request that carries them,
// is read as before, at the prices before tax, and the catalog sync says
// so once in the sync log.
func TestPricesBeforeTaxWhenTheWebserviceComputesNone(t *testing.T) {
	for name, setup := range map[string]func(s *prestashoptest.Shop){
		"ignored": func(s *prestashoptest.Shop) { s.PricesIgnored = true },
		"refused": func(s *prestashoptest.Shop) { s.PricesRefused = true },
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.fake.Do(taxedShirt)
				e.fake.Do(setup)
				shop, _ := e.connected()
				if medium := e.variant(shop, shirtID, shirtMedium); medium.Price != "22.40" || medium.Stock != 3 {
					t.Fatalf("medium shirt = %+v, want 22.40 before tax and its stock", medium)
				}
				log := e.syncLog(shop)
				if len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished {
					t.Fatalf("sync log = %+v, want one finished sync", log)
				}
				if notice := syncNotice(t, log[0]); !strings.Contains(notice, "before tax") {
					t.Fatalf("the sync's notice = %q, want it to say prices are before tax", notice)
				}
			})
		})
	}
}

func syncNotice(t *testing.T, entry *stockbell.Event) string {
	t.Helper()
	var d struct {
		Notice string `json:"notice"`
	}
	must(t, json.Unmarshal([]byte(entry.Detail), &d))
	return d.Notice
}

// countListings counts the requests for full rows of a resource (a
// connect's check of the key asks for ids only).
func countListings(requests []string, prefix string) int {
	n := 0
	for _, r := range requests {
		if strings.HasPrefix(r, prefix) && strings.Contains(r, "display=full") {
			n++
		}
	}
	return n
}

package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStorefrontAcceptsTheWwwTwinOfThePrimaryDomain: a store whose
// primary domain is www.bells.example also serves bells.example (and one
// whose primary domain is bells.example, www.bells.example), the same
// registered domain: a shopper's sign-up from the other one is accepted,
// its preflight answered, as the page check accepts a page there. A
// subdomain other than www, or www of another domain, is not.
func TestStorefrontAcceptsTheWwwTwinOfThePrimaryDomain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for primary, twin := range map[string]string{"www.bells.example": "bells.example", "bells.example": "www.bells.example"} {
			f := newStorefront(t, db, noLimits(), noLimits())
			if err := db.UpdateShopDetails(context.Background(), f.shop.ID, stockbell.ShopDetails{PrimaryDomain: primary}); err != nil {
				t.Fatal(err)
			}
			origin := "https://" + twin
			if status, headers := f.preflight(t, origin); status != http.StatusNoContent || headers.Get("Access-Control-Allow-Origin") != origin {
				t.Errorf("primary %s: preflight from %s: %d, ACAO %q; want 204 allowing it", primary, origin, status, headers.Get("Access-Control-Allow-Origin"))
			}
			email := "x@" + strings.ReplaceAll(twin, "www.", "w.")
			if code, out, _ := f.post(t, body(map[string]any{"email": email}), "Origin", origin, "Content-Type", "application/json"); code != http.StatusCreated {
				t.Errorf("primary %s: sign-up from %s: %d %v", primary, origin, code, out)
			}
			for _, other := range []string{"https://shop.bells.example", "https://www.www.bells.example", "https://www.other.example", "http://" + twin} {
				if code, _, _ := f.post(t, body(map[string]any{"email": "y@bells.example"}), "Origin", other, "Content-Type", "application/json"); code != http.StatusForbidden {
					t.Errorf("primary %s: a sign-up from %s answered %d, want 403", primary, other, code)
				}
				if status, headers := f.preflight(t, other); status != http.StatusForbidden || headers.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("primary %s: preflight from %s: %d, ACAO %q; want 403 allowing nothing", primary, other, status, headers.Get("Access-Control-Allow-Origin"))
				}
			}
			if err := db.UninstallShop(context.Background(), f.shop.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

package web_test

import (
	"context"
	"fmt"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSubscribeFromAStorefrontOnItsOwnPort: a Magento store or a
// PrestaShop shop served on a port other than https's is named with that
// port (magento.example:8443, shop.example:8443/boutique), and its pages'
// origin carries it: the storefront takes their subscriptions and clicks'
// CORS from there, and not from another port of the same host, nor from
// the other shop's storefront.
func TestSubscribeFromAStorefrontOnItsOwnPort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		installOnPort(t, db, stockbell.PlatformMagento, "magento.example:8443", "magento.example:8443")
		installOnPort(t, db, stockbell.PlatformPrestaShop, "shop.example:8443/boutique", "shop.example:8443")
		for _, s := range []struct {
			key, origin string // the snippet's data-shop, the origin of the shop's pages
			foreign     []string
		}{
			{"magento.example:8443", "https://magento.example:8443", []string{"https://magento.example:9443", "https://shop.example:8443"}},
			{"https://shop.example:8443/boutique/", "https://shop.example:8443", []string{"https://shop.example:9443", "https://magento.example:8443"}},
		} {
			code, _, headers := f.post(t, body(map[string]any{"shop": s.key, "variant_id": "S"}), "Origin", s.origin)
			if code != 201 || headers.Get("Access-Control-Allow-Origin") != s.origin {
				t.Errorf("%s from its storefront %s: %d, ACAO %q; want 201", s.key, s.origin, code, headers.Get("Access-Control-Allow-Origin"))
			}
			if status, _ := f.preflight(t, s.origin); status != 204 {
				t.Errorf("preflight from %s: %d, want 204", s.origin, status)
			}
			for _, foreign := range s.foreign {
				if code, _, _ := f.post(t, body(map[string]any{"shop": s.key, "variant_id": "S", "email": "other@example.com"}), "Origin", foreign); code != 403 {
					t.Errorf("%s from %s: %d, want 403", s.key, foreign, code)
				}
			}
		}
		// The preflight knows no shop yet: any shop's storefront may ask, and
		// another port of one may not.
		if status, _ := f.preflight(t, "https://magento.example:9443"); status != 403 {
			t.Errorf("preflight from another port of the Magento store: %d, want 403", status)
		}
		if n := f.count(t); n != 2 {
			t.Fatalf("%d subscriptions stored, want one per shop", n)
		}
	})
}

// installOnPort installs a shop under domain, its storefront at primary,
// with a sold-out variant S.
func installOnPort(t *testing.T, db *store.DB, platform stockbell.Platform, domain, primary string) {
	t.Helper()
	ctx := context.Background()
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: platform, Domain: domain, PrimaryDomain: primary, Name: domain})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "1", Title: "Tee", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "S", Title: "S", InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSubscribeFromAStoreNamedWithItsDefaultPort: a Magento store whose
// base URL writes its scheme's default port (https://magento.example:443/)
// is named without it, as browsers never write it in an Origin: its pages
// at https://magento.example post subscriptions whether their tag names it
// with the port (a module not yet updated) or without. A store stored
// with the port before keeps taking them, as does a PrestaShop shop whose
// base URL writes it, and a store on a port of its own is still refused
// from its host's default port and from another port.
func TestSubscribeFromAStoreNamedWithItsDefaultPort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		installOnPort(t, db, stockbell.PlatformMagento, "magento.example:443", "magento.example:443")
		installOnPort(t, db, stockbell.PlatformMagento, "stored.example", "stored.example")
		if _, err := db.DB.Exec(`UPDATE shops SET domain = 'stored.example:443', primary_domain = 'stored.example:443' WHERE domain = 'stored.example'`); err != nil {
			t.Fatal(err)
		}
		installOnPort(t, db, stockbell.PlatformMagento, "other.example:8443", "other.example:8443")
		installOnPort(t, db, stockbell.PlatformPrestaShop, "ps.example/boutique", "ps.example")
		for _, s := range []struct{ key, origin, email string }{
			// PrestaShop's data-shop is its base URL, with the port its
			// domain_ssl setting may write.
			{"https://ps.example:443/boutique/", "https://ps.example", "e@example.com"},
			{"magento.example:443", "https://magento.example", "a@example.com"},
			{"magento.example", "https://magento.example", "b@example.com"},
			{"stored.example:443", "https://stored.example", "c@example.com"},
			{"stored.example", "https://stored.example", "d@example.com"},
		} {
			code, _, headers := f.post(t, body(map[string]any{"shop": s.key, "variant_id": "S", "email": s.email}), "Origin", s.origin)
			if code != 201 || headers.Get("Access-Control-Allow-Origin") != s.origin {
				t.Errorf("%s from %s: %d, ACAO %q; want 201", s.key, s.origin, code, headers.Get("Access-Control-Allow-Origin"))
			}
			if status, _ := f.preflight(t, s.origin); status != 204 {
				t.Errorf("preflight from %s: %d, want 204", s.origin, status)
			}
		}
		for _, foreign := range []string{"https://other.example", "https://other.example:9443", "https://magento.example"} {
			if code, _, _ := f.post(t, body(map[string]any{"shop": "other.example:8443", "variant_id": "S"}), "Origin", foreign); code != 403 {
				t.Errorf("other.example:8443 from %s: %d, want 403", foreign, code)
			}
		}
		if n := f.count(t); n != 5 {
			t.Fatalf("%d subscriptions stored, want 5", n)
		}
		var shops int
		if err := db.DB.Get(&shops, `SELECT COUNT(DISTINCT s.shop_id) FROM subscriptions s JOIN variants v ON v.id = s.variant_id AND v.shop_id = s.shop_id`); err != nil {
			t.Fatal(err)
		}
		if shops != 3 {
			t.Fatalf("subscriptions of %d shops, want each of the three shops' own", shops)
		}
	})
}

// TestSubscribeFromAStoreNamedByItsIPv6Address: a store named by its IPv6
// address is a host as a name is: its pages post from that address on
// any port when its domain names none ([2001:db8::1]), and only from its
// own port when its domain names one ([2001:db8::2]:8443), whose address's
// colons are not taken for a port. The preflight answers the same. Another
// address is refused.
func TestSubscribeFromAStoreNamedByItsIPv6Address(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		installOnPort(t, db, stockbell.PlatformMagento, "[2001:db8::1]", "[2001:db8::1]")
		installOnPort(t, db, stockbell.PlatformMagento, "[2001:db8::2]:8443", "[2001:db8::2]:8443")
		for i, s := range []struct{ key, origin string }{
			{"[2001:db8::1]", "https://[2001:db8::1]"},
			{"[2001:db8::1]", "https://[2001:db8::1]:8443"},
			{"[2001:db8::2]:8443", "https://[2001:db8::2]:8443"},
		} {
			email := fmt.Sprintf("ipv6-%d@example.com", i)
			code, _, headers := f.post(t, body(map[string]any{"shop": s.key, "variant_id": "S", "email": email}), "Origin", s.origin)
			if code != 201 || headers.Get("Access-Control-Allow-Origin") != s.origin {
				t.Errorf("%s from %s: %d, ACAO %q; want 201", s.key, s.origin, code, headers.Get("Access-Control-Allow-Origin"))
			}
			if status, _ := f.preflight(t, s.origin); status != 204 {
				t.Errorf("preflight from %s: %d, want 204", s.origin, status)
			}
		}
		for _, s := range []struct{ key, origin string }{
			{"[2001:db8::1]", "https://[2001:db8::11]"},
			{"[2001:db8::2]:8443", "https://[2001:db8::2]"},
			{"[2001:db8::2]:8443", "https://[2001:db8::2]:9443"},
		} {
			if code, _, _ := f.post(t, body(map[string]any{"shop": s.key, "variant_id": "S", "email": "other@example.com"}), "Origin", s.origin); code != 403 {
				t.Errorf("%s from %s: %d, want 403", s.key, s.origin, code)
			}
		}
		if status, _ := f.preflight(t, "https://[2001:db8::2]:9443"); status != 403 {
			t.Errorf("preflight from another port of the store on its own port: %d, want 403", status)
		}
	})
}

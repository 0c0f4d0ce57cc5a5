package store_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestShopDomainsWithoutTheDefaultPort: a domain written with the port
// 443 or 80 (a Magento base URL's, https://magento.example:443/) is stored
// without it, the port browsers never write in an Origin, and found
// written either way. A shop stored with the port before is found by its
// domain written either way, and installing it again reactivates it under
// the domain without the port, its id kept. Another shop whose domain
// differs only by the port is neither found nor renamed; a port of its
// own is kept.
func TestShopDomainsWithoutTheDefaultPort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fresh := install(t, db, stockbell.PlatformMagento, "https://Magento.example:443/")
		onPort := install(t, db, stockbell.PlatformMagento, "other.example:8443")
		legacy := install(t, db, stockbell.PlatformMagento, "stored.example")
		folder := install(t, db, stockbell.PlatformPrestaShop, "shop.example/boutique")
		for domain, shop := range map[string]*stockbell.Shop{"stored.example": legacy, "shop.example/boutique": folder} {
			_, err := db.DB.Exec(db.DB.Rebind(`UPDATE shops SET domain = ? WHERE id = ?`), storedWithPort(domain), shop.ID)
			must(t, err)
		}
		for _, s := range []struct {
			platform stockbell.Platform
			domain   string
			want     *stockbell.Shop
		}{
			{stockbell.PlatformMagento, "magento.example", fresh},
			{stockbell.PlatformMagento, "magento.example:443", fresh},
			{stockbell.PlatformMagento, "stored.example", legacy},
			{stockbell.PlatformMagento, "https://stored.example:443/", legacy},
			{stockbell.PlatformMagento, "other.example:8443", onPort},
			{stockbell.PlatformPrestaShop, "shop.example/boutique", folder},
		} {
			byDomain, err := db.FindShopByDomain(ctx, s.platform, s.domain)
			must(t, err)
			byKey, err := db.FindShopByKey(ctx, s.domain)
			must(t, err)
			shops, _, err := db.FindShops(ctx, stockbell.ShopFilter{Domain: &s.domain})
			must(t, err)
			if byDomain.ID != s.want.ID || byKey.ID != s.want.ID || len(shops) != 1 || shops[0].ID != s.want.ID {
				t.Errorf("%s found shops %d by domain, %d by key, %d by filter; want %d", s.domain, byDomain.ID, byKey.ID, len(shops), s.want.ID)
			}
		}
		if fresh.Domain != "magento.example" || onPort.Domain != "other.example:8443" {
			t.Errorf("stored as %q and %q", fresh.Domain, onPort.Domain)
		}
		for _, domain := range []string{"other.example", "other.example:443", "magento.example:8443"} {
			_, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, domain)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}

		again := install(t, db, stockbell.PlatformMagento, "https://stored.example/")
		if again.ID != legacy.ID || again.Domain != "stored.example" {
			t.Errorf("installing the shop stored with its port again: shop %d %q, want %d stored.example", again.ID, again.Domain, legacy.ID)
		}
		untouched, err := db.FindShopByID(ctx, folder.ID)
		must(t, err)
		if untouched.Domain != storedWithPort("shop.example/boutique") {
			t.Errorf("another shop stored with its port is now %q", untouched.Domain)
		}
	})
}

// storedWithPort is how a domain was stored before the default port was
// dropped from it: with https's.
func storedWithPort(domain string) string {
	host, folder, _ := strings.Cut(domain, "/")
	if folder != "" {
		folder = "/" + folder
	}
	return host + ":443" + folder
}

// TestShopDomainsByIPv6AddressWithoutTheDefaultPort: a store named by its
// IPv6 address (a Magento or PrestaShop base URL by address) is treated as
// one named by its host: stored without the port 443, found written with
// it or without, and a shop stored with it before is found either way and
// reactivated under the address without it, its id kept. A port of its
// own is kept and tells the shop apart; another platform's shop stored
// with the same address and port is not renamed.
func TestShopDomainsByIPv6AddressWithoutTheDefaultPort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fresh := install(t, db, stockbell.PlatformMagento, "https://[2001:DB8::1]:443/")
		onPort := install(t, db, stockbell.PlatformMagento, "[2001:db8::3]:8443")
		legacy := install(t, db, stockbell.PlatformMagento, "[2001:db8::2]")
		_, err := db.DB.Exec(db.DB.Rebind(`UPDATE shops SET domain = ? WHERE id = ?`), "[2001:db8::2]:443", legacy.ID)
		must(t, err)
		for _, s := range []struct {
			domain string
			want   *stockbell.Shop
		}{
			{"[2001:db8::1]", fresh},
			{"[2001:db8::1]:443", fresh},
			{"[2001:db8::2]", legacy},
			{"https://[2001:db8::2]/", legacy},
			{"[2001:db8::2]:443", legacy},
			{"[2001:db8::3]:8443", onPort},
		} {
			byDomain, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, s.domain)
			if err != nil {
				t.Errorf("%s by domain: %v", s.domain, err)
				continue
			}
			byKey, err := db.FindShopByKey(ctx, s.domain)
			must(t, err)
			shops, _, err := db.FindShops(ctx, stockbell.ShopFilter{Domain: &s.domain})
			must(t, err)
			if byDomain.ID != s.want.ID || byKey.ID != s.want.ID || len(shops) != 1 || shops[0].ID != s.want.ID {
				t.Errorf("%s found shops %d by domain, %d by key, %d by filter; want %d", s.domain, byDomain.ID, byKey.ID, len(shops), s.want.ID)
			}
		}
		if fresh.Domain != "[2001:db8::1]" || onPort.Domain != "[2001:db8::3]:8443" {
			t.Errorf("stored as %q and %q", fresh.Domain, onPort.Domain)
		}
		for _, domain := range []string{"[2001:db8::3]", "[2001:db8::3]:443", "[2001:db8::1]:8443", "2001:db8::1"} {
			if shop, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, domain); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
				t.Errorf("%s found %v, %v; want no shop", domain, shop, err)
			}
		}

		other := install(t, db, stockbell.PlatformPrestaShop, "[2001:db8::2]")
		_, err = db.DB.Exec(db.DB.Rebind(`UPDATE shops SET domain = ? WHERE id = ?`), "[2001:db8::2]:443", other.ID)
		must(t, err)
		again := install(t, db, stockbell.PlatformMagento, "https://[2001:db8::2]/")
		if again.ID != legacy.ID || again.Domain != "[2001:db8::2]" {
			t.Errorf("installing the shop stored with its port again: shop %d %q, want %d [2001:db8::2]", again.ID, again.Domain, legacy.ID)
		}
		untouched, err := db.FindShopByID(ctx, other.ID)
		must(t, err)
		if untouched.Domain != "[2001:db8::2]:443" {
			t.Errorf("another platform's shop stored with the port is now %q", untouched.Domain)
		}
	})
}

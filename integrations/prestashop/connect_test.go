package prestashop_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConnect: a good key installs the shop under its URL's domain with its
// credentials and module secret sealed and its catalog sync queued; the
// key was checked with basic auth on every resource the sync reads.
func TestConnect(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret, err := e.in.Connect(ctx, e.fake.URL(), prestashoptest.Key)
		must(t, err)
		conn := struct {
			Shop         *stockbell.Shop
			ModuleSecret string
		}{shop, secret}
		wantDomain := strings.TrimPrefix(e.fake.URL(), "http://")
		if conn.Shop.Domain != wantDomain || conn.Shop.Platform != stockbell.PlatformPrestaShop || len(conn.Shop.SealedToken) == 0 {
			t.Fatalf("shop = %+v, want domain %s", conn.Shop, wantDomain)
		}
		if len(conn.ModuleSecret) != 64 || strings.Contains(string(conn.Shop.SealedToken), prestashoptest.Key) {
			t.Fatalf("module secret %q; sealed token holds the key in clear: %v", conn.ModuleSecret, strings.Contains(string(conn.Shop.SealedToken), prestashoptest.Key))
		}
		stored, err := db.FindShopWebhookSecret(ctx, conn.Shop.ID)
		must(t, err)
		if opened, err := e.in.Sealer.Open(conn.Shop.ID, stored.Sealed); err != nil || string(opened) != conn.ModuleSecret {
			t.Fatalf("stored module secret opens to %q, %v", opened, err)
		}
		for _, resource := range []string{"stock_availables", "products", "combinations", "product_option_values", "configurations"} {
			if !asked(e.fake, resource) {
				t.Errorf("connect did not check the key on %s: %v", resource, e.fake.Requests())
			}
		}
		var jobs int
		must(t, db.DB.Get(&jobs, `SELECT COUNT(*) FROM river_job WHERE kind = 'prestashop_catalog_sync'`))
		if jobs != 1 {
			t.Fatalf("%d catalog sync jobs queued, want 1", jobs)
		}

		// Connecting again renews the module secret: the old one stops verifying.
		againShop, againSecret, err := e.in.Connect(ctx, e.fake.URL(), prestashoptest.Key)
		must(t, err)
		renewed, err := db.FindShopWebhookSecret(ctx, conn.Shop.ID)
		must(t, err)
		if againShop.ID != conn.Shop.ID || againSecret == conn.ModuleSecret || renewed.Hash == stored.Hash {
			t.Fatalf("reconnect: shop %d → %d, secret renewed %v", conn.Shop.ID, againShop.ID, againSecret != conn.ModuleSecret)
		}
	})
}

func asked(f *prestashoptest.Fake, resource string) bool {
	for _, r := range f.Requests() {
		if strings.HasPrefix(r, resource+"?") {
			return true
		}
	}
	return false
}

// TestConnectRefusals: each bad input is refused naming its field, with a
// message that says what to fix, and nothing is stored.
func TestConnectRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		wrongKey := strings.Repeat("Z", 32)
		cases := []struct {
			name, url, key, field, says string
			denied                      string
		}{
			{"wrong key", e.fake.URL(), wrongKey, "webservice_key", "refused the webservice key", ""},
			{"malformed key", e.fake.URL(), "short", "webservice_key", "32 letters and digits", ""},
			{"no permission", e.fake.URL(), prestashoptest.Key, "webservice_key", "may not read combinations", "combinations"},
			{"not a URL", "shop.example.com", prestashoptest.Key, "shop_url", "http(s) address", ""},
			{"no webservice there", e.fake.URL() + "/elsewhere", prestashoptest.Key, "shop_url", "no PrestaShop webservice answers", ""},
			{"unreachable", "http://127.0.0.1:1", prestashoptest.Key, "shop_url", "could not be read", ""},
		}
		for _, c := range cases {
			e.fake.Do(func(s *prestashoptest.Shop) { s.Denied = map[string]bool{c.denied: c.denied != ""} })
			_, _, err := e.in.Connect(ctx, c.url, c.key)
			if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != c.field || !strings.Contains(stockbell.ErrorMessage(err), c.says) {
				t.Errorf("%s: err = %v (field %q), want EINVALID on %s saying %q", c.name, err, stockbell.ErrorField(err), c.field, c.says)
			}
		}
		_, total, err := db.FindShops(ctx, stockbell.ShopFilter{Limit: 10})
		must(t, err)
		var secrets, jobs int
		must(t, db.DB.Get(&secrets, `SELECT COUNT(*) FROM webhook_secrets`))
		must(t, db.DB.Get(&jobs, `SELECT COUNT(*) FROM river_job`))
		if total != 0 || secrets != 0 || jobs != 0 {
			t.Fatalf("refused connects stored %d shops, %d secrets, %d jobs", total, secrets, jobs)
		}
	})
}

// TestConnectNamesTheShopAssociation: a key not enabled for the shop of a
// multistore (403, code 132) is refused saying where to enable it, not
// which permissions to tick.
func TestConnectNamesTheShopAssociation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.Do(func(s *prestashoptest.Shop) { s.OtherShop = true })
		_, _, err := e.in.Connect(ctx, e.fake.URL(), prestashoptest.Key)
		if stockbell.ErrorField(err) != "webservice_key" || !strings.Contains(stockbell.ErrorMessage(err), "Shop association") {
			t.Fatalf("a key not enabled for the shop: %v", err)
		}
	})
}

// TestShopDomainOfAURLWithItsDefaultPort: a shop URL given with its
// scheme's default port (https://shop.example.com:443) is the same shop as
// the module names it (https://shop.example.com/, PrestaShop's base URL
// never writes that port): otherwise the shop would be connected under a
// domain no post of the module names, and every post refused. Another
// port is part of the domain.
func TestShopDomainOfAURLWithItsDefaultPort(t *testing.T) {
	for _, c := range []struct{ given, module, want string }{
		{"https://Shop.Example.com:443/boutique/", "https://shop.example.com/boutique/", "shop.example.com/boutique"},
		{"http://shop.example.com:80", "http://shop.example.com/", "shop.example.com"},
		{"https://shop.example.com:8443/", "https://shop.example.com:8443/", "shop.example.com:8443"},
	} {
		given, err := stockbell.PrestaShopDomain(c.given)
		must(t, err)
		posted, err := stockbell.PrestaShopDomain(c.module)
		must(t, err)
		if given != c.want || posted != c.want {
			t.Errorf("%q is the domain %q and the module's %q is %q; want both %q", c.given, given, c.module, posted, c.want)
		}
	}
}

// TestReconnectKeepsTheShoppers: the merchant uninstalls the module (its
// settings go with it), installs it again and connects the shop once more
// from its configuration page: the shop is the same, with a new module
// secret, and the shoppers waiting stay queued, as do another shop's.
func TestReconnectKeepsTheShoppers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e, other := newEnv(t, db), newEnv(t, db)
		shop, secret := e.connected()
		otherShop, _ := other.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		other.subscribe(otherShop, other.variant(otherShop, shirtID, shirtSmall), "bob@example.com")

		again, newSecret, err := e.in.Connect(ctx, e.fake.URL()+"/", prestashoptest.Key)
		must(t, err)
		if again.ID != shop.ID || newSecret == secret {
			t.Fatalf("connecting again: shop %d (was %d), secret renewed %v", again.ID, shop.ID, newSecret != secret)
		}
		for s, email := range map[*stockbell.Shop]string{shop: "ada@example.com", otherShop: "bob@example.com"} {
			subs, _, err := db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &s.ID})
			must(t, err)
			if len(subs) != 1 || subs[0].Email != email || subs[0].Status != stockbell.SubscriptionQueued {
				t.Errorf("shop %s's shoppers after the reconnect: %+v", s.Domain, subs)
			}
		}
	})
}

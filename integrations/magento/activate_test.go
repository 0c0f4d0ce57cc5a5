package magento_test

import (
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestActivationIsAllOrNothing: an activation stores the shop (with its
// catalog sync queued), its module secret and the record of the consumer
// key the identity link names, or nothing. A real database error at the
// secret or at the record (its table renamed away) leaves no installed
// shop, no queued sync and no secret; activating again (Reauthorize in
// Magento) then completes it, and the identity link opens.
func TestActivationIsAllOrNothing(t *testing.T) {
	for _, table := range []string{"webhook_secrets", "magento_activations"} {
		t.Run(table, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				fake := magentotest.New()
				t.Cleanup(fake.Close)
				in := integrationOn(db)
				rename(t, db, table, table+"_away")
				if _, err := in.Activate(ctx, fake.ActivationForm()); err == nil {
					t.Fatalf("the activation succeeded without %s", table)
				}
				rename(t, db, table+"_away", table)
				if _, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, fake.Domain()); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
					t.Fatalf("after a failed activation, finding its shop: %v, want not found", err)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM webhook_secrets`) + count(t, db, `SELECT COUNT(*) FROM magento_activations`) +
					count(t, db, `SELECT COUNT(*) FROM river_job`); n != 0 {
					t.Fatalf("a failed activation left %d secret, activation or job rows", n)
				}

				shop, err := in.Activate(ctx, fake.ActivationForm())
				if err != nil {
					t.Fatal(err)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM river_job`); n != 1 {
					t.Fatalf("%d jobs queued, want the catalog sync", n)
				}
				identity, err := in.Identity(ctx, url.Values{"oauth_consumer_key": {fake.ConsumerKey}, "success_call_back": {fake.URL() + "/admin"}})
				if err != nil || identity.Shop.ID != shop.ID || len(identity.ModuleSecret) != 64 {
					t.Fatalf("identity after the retried activation = %+v, %v", identity, err)
				}
			})
		})
	}
}

func rename(t *testing.T, db *store.DB, from, to string) {
	t.Helper()
	if _, err := db.DB.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	var n int
	if err := db.DB.Get(&n, query); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestActivationWithTheDefaultPort: a store whose base URL writes https's
// default port (https://magento.example:443/) is activated as
// magento.example, the host its pages' Origin names; its identity link
// returns to the store's admin written either way, and the module's posts
// naming the store with the port (a module not yet updated) are still its
// own. Another store, on a port of its own, keeps that port.
func TestActivationWithTheDefaultPort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, s := range []struct{ base, domain string }{
			{"https://magento.example:443/", "magento.example"},
			{"https://other.example:8443/", "other.example:8443"},
		} {
			fake := magentotest.NewTLS()
			t.Cleanup(fake.Close)
			in := integrationOn(db)
			in.Client.HTTP.Transport = fake.Transport()
			form := fake.ActivationForm()
			form.Set("store_base_url", s.base)
			shop, err := in.Activate(ctx, form)
			if err != nil {
				t.Fatalf("activating %s: %v", s.base, err)
			}
			if shop.Domain != s.domain || shop.PrimaryDomain != s.domain {
				t.Errorf("activated %s as %q (storefront %q), want %q", s.base, shop.Domain, shop.PrimaryDomain, s.domain)
			}
			for _, back := range []string{strings.TrimSuffix(s.base, "/") + "/admin", "https://" + s.domain + "/admin"} {
				if _, err := in.Identity(ctx, url.Values{"oauth_consumer_key": {fake.ConsumerKey}, "success_call_back": {back}}); err != nil {
					t.Errorf("identity link of %s returning to %s: %v", s.base, back, err)
				}
			}
		}
		// A module not yet updated names the store with the port.
		if shop, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, "magento.example:443"); err != nil || shop.Domain != "magento.example" {
			t.Errorf("the store named magento.example:443: %+v, %v; want magento.example", shop, err)
		}
		if _, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, "other.example:443"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Errorf("the store on another port named with 443: %v, want not found", err)
		}
	})
}

package prestashop_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// otherHostURL is the fake's URL under another name of the same address
// (localhost for 127.0.0.1): a domain the shop's URLs do not list.
func otherHostURL(t *testing.T, f *prestashoptest.Fake) string {
	u, err := url.Parse(f.URL())
	must(t, err)
	u.Host = "localhost:" + u.Port()
	return u.String()
}

// TestConnectWithADomainTheShopRedirects: a merchant who gives a domain
// the shop redirects from (example.com for a shop at www.example.com:
// PrestaShop sends a domain its shop URLs do not list to the main one) is
// told the address the shop is at. Stockbell does not send the key to
// another host, and the module posts under the shop's own URL, so a shop
// connected under the other domain would never receive a post.
func TestConnectWithADomainTheShopRedirects(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		canonical, _ := url.Parse(e.fake.URL())
		e.fake.Do(func(s *prestashoptest.Shop) { s.MainDomain = canonical.Host })
		given := otherHostURL(t, e.fake)
		_, _, err := e.in.Connect(ctx, given+"/", prestashoptest.Key)
		if stockbell.ErrorField(err) != "shop_url" || !strings.Contains(stockbell.ErrorMessage(err), "redirects to "+e.fake.URL()) {
			t.Fatalf("connect with a domain the shop redirects: %v (field %q)", err, stockbell.ErrorField(err))
		}
		if len(e.slept) != 0 {
			t.Errorf("a redirect was tried again: waits %v", e.slept)
		}
		wantNoShopStored(t, db)
	})
}

// TestShopThatRedirectsIsRecorded: a connected shop that later sends its
// webservice to another domain (the merchant moved it) has each job that
// reads it record in the sync log where it redirects, rather than that
// the key was refused (the key is never sent there, so PrestaShop would
// answer that none was given).
func TestShopThatRedirectsIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		other, _ := url.Parse(otherHostURL(t, e.fake))
		e.fake.Do(func(s *prestashoptest.Shop) { s.MainDomain = other.Host })
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		failed := stockbell.EventSyncFailed
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &failed, Limit: 1})
		must(t, err)
		if len(log) == 0 || !strings.Contains(log[0].Detail, prestashop.CatalogSource) || !strings.Contains(log[0].Detail, "redirects to "+otherHostURL(t, e.fake)) {
			t.Fatalf("the sync log's last failure: %s", lastDetail(log))
		}
	})
}

// TestConnectBehindAWebServerPassword: a shop whose web server asks for a
// password of its own before PrestaShop (an .htpasswd on a staging shop)
// answers 401 without PrestaShop's error body. The merchant is told that
// the web server, not PrestaShop, refused, and where: no new key helps.
func TestConnectBehindAWebServerPassword(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		guarded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="Staging"`)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("<html><head><title>401 Authorization Required</title></head><body>Authorization Required</body></html>"))
		}))
		defer guarded.Close()
		_, _, err := e.in.Connect(ctx, guarded.URL+"/", prestashoptest.Key)
		if stockbell.ErrorField(err) != "shop_url" || !strings.Contains(stockbell.ErrorMessage(err), "web server") ||
			!strings.Contains(stockbell.ErrorMessage(err), `realm "Staging"`) {
			t.Fatalf("connect behind a web server's password: %v (field %q)", err, stockbell.ErrorField(err))
		}
	})
}

package prestashop_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestRetryAfterAsADate: a shop under maintenance that gives Retry-After
// as an HTTP date (as RFC 9110 allows) is asked again after that date,
// measured from its own Date header, not after the fallback pauses.
func TestRetryAfterAsADate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.slept = nil
		e.fake.FailNext(2, e.clock.Now().Add(7*time.Second).UTC().Format(http.TimeFormat))
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if len(e.slept) != 2 || e.slept[0] != 7*time.Second || e.slept[1] != 7*time.Second {
			t.Fatalf("waits between attempts: %v", e.slept)
		}
	})
}

// TestKeyNeverFollowsADowngrade: a shop URL on https that redirects to
// http (on the same host, where Go would send basic auth again) is refused
// with a reason naming the shop URL, and the webservice key never reaches
// the http host.
func TestKeyNeverFollowsADowngrade(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, strings.TrimSuffix(e.fake.URL(), shopPrefix)+r.URL.RequestURI(), http.StatusFound)
		}))
		defer secure.Close()
		e.in.Client.HTTP.Transport.(*http.Transport).TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		_, _, err := e.in.Connect(ctx, secure.URL+shopPrefix+"/", prestashoptest.Key)
		if got := e.fake.Requests(); len(got) > 0 {
			t.Fatalf("the key was sent over http to %v", got)
		}
		if stockbell.ErrorField(err) != "shop_url" || !strings.Contains(err.Error(), "redirected from https to http") {
			t.Fatalf("connect through a downgrade: %v", err)
		}
	})
}

// TestShopOnAPrivateAddressIsRefused: outside development a shop whose
// host is loopback is refused when its socket is dialled, with the rule
// every client of a merchant's host states, and once: a refusal is not
// tried again. No request reaches it and nothing is stored.
func TestShopOnAPrivateAddressIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var reached atomic.Int32
		private := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
		defer private.Close()
		production := prestashop.NewClient(false, slog.New(slog.DiscardHandler))
		production.Sleep = e.in.Client.Sleep
		production.HTTP.Transport.(*http.Transport).TLSClientConfig = private.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		e.in.Client = production
		e.slept = nil
		_, _, err := e.in.Connect(ctx, private.URL+"/", prestashoptest.Key)
		if stockbell.ErrorField(err) != "shop_url" || !strings.Contains(err.Error(), "refused to connect to 127.0.0.1") ||
			!strings.Contains(err.Error(), "PrestaShop shops must be on the public internet") {
			t.Fatalf("connect to a loopback shop: %v", err)
		}
		if reached.Load() != 0 || len(e.slept) != 0 {
			t.Fatalf("the loopback shop was reached %d times, after waits %v", reached.Load(), e.slept)
		}
		wantNoShopStored(t, db)
	})
}

// wantNoShopStored fails the test when a refused connect stored a shop.
func wantNoShopStored(t *testing.T, db *store.DB) {
	t.Helper()
	_, total, err := db.FindShops(ctx, stockbell.ShopFilter{Limit: 10})
	if err != nil || total != 0 {
		t.Fatalf("a refused connect stored %d shops (%v)", total, err)
	}
}

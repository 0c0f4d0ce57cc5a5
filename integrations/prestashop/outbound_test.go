package prestashop_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
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

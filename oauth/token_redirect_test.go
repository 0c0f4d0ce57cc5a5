package oauth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestTokenExchangeFollowsNoRedirect: a token endpoint answering 307 (which
// Go follows with the same body) never makes Stockbell post the app's
// client secret and the merchant's code to the host it names; the install
// fails instead.
func TestTokenExchangeFollowsNoRedirect(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		var received []string
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			mu.Lock()
			received = append(received, string(raw))
			mu.Unlock()
			w.Write([]byte(`{"access_token":"shpat_elsewhere","scope":"read_products,read_inventory"}`))
		}))
		defer elsewhere.Close()
		e := newInstallEnv(t, db)
		back := e.authorize(e.begin(testShop))
		e.fake.TokenReply = shopifytest.TokenReply{Status: http.StatusTemporaryRedirect, Location: elsewhere.URL + "/steal"}
		res := e.callback(back)
		body(res)
		mu.Lock()
		defer mu.Unlock()
		if len(received) > 0 {
			t.Fatalf("the token request was posted to another host: %q", received)
		}
		if res.StatusCode < 400 {
			t.Fatalf("install through a redirected token endpoint answered %d", res.StatusCode)
		}
	})
}

package web_test

import (
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPIAnswersHEADAsGET: HTTP has every GET answer HEAD too (curl -I,
// a client checking an ETag): the same status and headers, no body, for
// every GET the OpenAPI document lists; a HEAD naming the current ETag in
// If-None-Match is 304; no key is still 401; and HEAD changes nothing.
func TestAPIAnswersHEADAsGET(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureWithWebhooks(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		for _, op := range readDocumentedOperations(t) {
			if op.method != "GET" {
				continue
			}
			path := strings.ReplaceAll(op.path, "{id}", "999999")
			get, head := apiDo(t, f, key, "GET", path, ""), apiDo(t, f, key, "HEAD", path, "")
			if head.Status != get.Status || head.Raw != "" {
				t.Errorf("HEAD %s: %d %q, GET answers %d", path, head.Status, head.Raw, get.Status)
			}
			for _, name := range []string{"Content-Type", "ETag", "Cache-Control"} {
				if head.Header.Get(name) != get.Header.Get(name) {
					t.Errorf("HEAD %s: %s %q, GET answers %q", path, name, head.Header.Get(name), get.Header.Get(name))
				}
			}
		}
		etag := apiDo(t, f, key, "GET", "/api/v1/settings", "").Header.Get("ETag")
		wantAPI(t, apiDo(t, f, key, "HEAD", "/api/v1/settings", "", "If-None-Match", etag), 304, "HEAD with the current ETag")
		wantAPI(t, apiDo(t, f, "", "HEAD", "/api/v1/flow", ""), 401, "HEAD without a key")
		if allow := apiDo(t, f, key, "POST", "/api/v1/settings", "{}").Header.Get("Allow"); allow != "GET, HEAD, PUT" {
			t.Errorf("Allow: %q, want GET, HEAD, PUT", allow)
		}
	})
}

// TestAPIIsNotForBrowserPages: the API's keys are secrets that belong on
// a server, so it grants no cross-origin access: a browser's preflight is
// answered 405 without Access-Control headers, and neither does a GET
// sent with an Origin carry one.
func TestAPIIsNotForBrowserPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		preflight := apiDo(t, f, "", "OPTIONS", "/api/v1/settings", "", "Origin", "https://shop.example",
			"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization, if-match")
		wantAPI(t, preflight, 405, "preflight")
		get := apiDo(t, f, key, "GET", "/api/v1/settings", "", "Origin", "https://shop.example")
		wantAPI(t, get, 200, "GET with an Origin")
		for name, a := range map[string]apiAnswer{"preflight": preflight, "GET": get} {
			for header := range a.Header {
				if strings.HasPrefix(header, "Access-Control-") {
					t.Errorf("%s answers %s: %q", name, header, a.Header.Get(header))
				}
			}
		}
	})
}

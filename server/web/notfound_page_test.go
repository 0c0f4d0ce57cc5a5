package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// TestUnknownPathsAnswerBrowsersAPage: a shopper's browser following a
// mangled link (outside the API, the admin and the platforms' webhooks)
// gets a small page saying so in the language it asks for, still 404;
// every other client gets the JSON error as before, and /api/ and
// /webhooks/ paths answer JSON whatever the Accept header.
func TestUnknownPathsAnswerBrowsersAPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := newAdminFixture(t, db).browser(t)
		for lang, want := range map[string]string{"fr-FR,fr;q=0.9,en;q=0.5": "Page introuvable", "de": "Seite nicht gefunden",
			"es-ES": "Página no encontrada", "": "Page not found", "ja": "Page not found"} {
			p := b.get("/confirm", "Accept", browserAccept, "Accept-Language", lang)
			wantLang := strings.SplitN(strings.SplitN(lang, "-", 2)[0], ",", 2)[0]
			if lang == "" || lang == "ja" {
				wantLang = "en"
			}
			if p.Status != 404 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(p.Body, "<title>"+want+"</title>") || !strings.Contains(p.Body, `<html lang="`+wantLang+`">`) ||
				strings.Contains(p.Body, "No route") || !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("Accept-Language %q: %d %s\n%.600s", lang, p.Status, p.Header.Get("Content-Type"), p.Body)
			}
		}
		for _, path := range []string{"/unsubscribe", "/r/", "/snippet", "/no/such/page?utm_source=email"} {
			if p := b.get(path, "Accept", browserAccept); p.Status != 404 || !strings.Contains(p.Body, "<h1>Page not found</h1>") {
				t.Errorf("%s in a browser: %d %.300s", path, p.Status, p.Body)
			}
		}
		if p := b.do("HEAD", "/no-such-page", nil, "Accept", browserAccept); p.Status != 404 || p.Body != "" ||
			!strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			t.Errorf("HEAD in a browser: %d %q %q", p.Status, p.Header.Get("Content-Type"), p.Body)
		}
		jsonCases := []struct{ method, path, accept string }{
			{"GET", "/no-such-page", ""},
			{"GET", "/no-such-page", "*/*"},
			{"GET", "/no-such-page", "application/json"},
			{"GET", "/api/v1/no-such-route", browserAccept},
			{"GET", "/api/storefront/v1/no-such-route", browserAccept},
			{"GET", "/api", browserAccept},
			{"GET", "/webhooks/shopify/orders", browserAccept},
			{"POST", "/webhooks/shopify/orders", ""},
			{"POST", "/no-such-form", browserAccept},
		}
		for _, c := range jsonCases {
			p := b.do(c.method, c.path, nil, "Accept", c.accept)
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if p.Status != 404 || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") ||
				json.Unmarshal([]byte(p.Body), &body) != nil || body.Error.Code != "not_found" {
				t.Errorf("%s %s Accept %q: %d %q %.300s, want the JSON 404", c.method, c.path, c.accept, p.Status, p.Header.Get("Content-Type"), p.Body)
			}
		}
		if p := b.get("/admin/no-such-page", "Accept", browserAccept); p.Status != 404 || !strings.Contains(p.Body, "There is no such page in the admin") {
			t.Errorf("the admin's own page: %d %.300s", p.Status, p.Body)
		}
	})
}

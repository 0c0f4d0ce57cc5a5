package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestEmbeddedAdminPageMayBeFramedOnlyByItsShopifyAdmin: an admin page
// shown inside the Shopify admin may be framed by that shop's admin (and
// load App Bridge); any other admin page by nobody.
func TestEmbeddedAdminPageMayBeFramedOnlyByItsShopifyAdmin(t *testing.T) {
	page := template.Must(template.New("p").Parse(`<p>admin</p>`))
	serve := func(s *AdminSession) http.Header {
		h := (&Server{}).secureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			(&Admin{}).securityHeaders(w, s)
			WriteHTML(w, http.StatusOK, page, nil)
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin", nil))
		return rec.Result().Header
	}
	embedded := serve(&AdminSession{Embedded: true, Shop: &stockbell.Shop{Domain: "bells.myshopify.com"}})
	csp := embedded.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors https://bells.myshopify.com https://admin.shopify.com") ||
		!strings.Contains(csp, "script-src 'self' https://cdn.shopify.com") || embedded.Get("X-Frame-Options") != "" {
		t.Fatalf("embedded admin page: CSP %q, X-Frame-Options %q", csp, embedded.Get("X-Frame-Options"))
	}
	direct := serve(&AdminSession{Shop: &stockbell.Shop{Domain: "bells.myshopify.com"}})
	if csp := direct.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "cdn.shopify.com") ||
		direct.Get("X-Frame-Options") != "DENY" || direct.Get("Referrer-Policy") != "same-origin" {
		t.Fatalf("admin page outside Shopify: %v", direct)
	}
}

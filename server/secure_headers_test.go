package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// TestEveryHTMLPageHasSecurityHeaders visits every route of the wired
// server (every platform configured) with GET, path variables filled in,
// and checks each HTML answer: a Content-Security-Policy that allows no
// framing, nosniff and a Referrer-Policy; in production every answer
// carries HSTS.
func TestEveryHTMLPageHasSecurityHeaders(t *testing.T) {
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	shopify := map[string]string{"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL()}
	for _, env := range []map[string]string{shopify, with(production, "SHOPIFY_API_KEY", fake.APIKey, "SHOPIFY_API_SECRET", fake.Secret,
		"STOCKBELL_SHOPIFY_ADMIN_URL", fake.AdminURL())} {
		m := startServer(t, testEnv(t, env))
		pages := 0
		for _, tpl := range m.Web.RouteTemplates() {
			path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(tpl, "x")
			resp, err := http.Get(m.URL() + path)
			noErr(t, err)
			resp.Body.Close()
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
				t.Errorf("%s %s: nosniff %q, Referrer-Policy %q", env["STOCKBELL_ENV"], path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if hsts := h.Get("Strict-Transport-Security"); (env["STOCKBELL_ENV"] == "production") != (hsts != "") {
				t.Errorf("%s %s: Strict-Transport-Security %q", env["STOCKBELL_ENV"], path, hsts)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				continue
			}
			pages++
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "object-src 'none'") || !strings.Contains(csp, "base-uri 'none'") {
				t.Errorf("%s: Content-Security-Policy %q", path, csp)
			}
		}
		if pages < 3 {
			t.Fatalf("only %d HTML pages answered: the test visits too little", pages)
		}
	}
}

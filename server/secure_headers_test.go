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
// carries HSTS. In development the routes are visited again signed in to
// the demo shop's admin, so that the admin's own pages are checked, not
// only the sign-in page they send a stranger to.
func TestEveryHTMLPageHasSecurityHeaders(t *testing.T) {
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	shopify := map[string]string{"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL()}
	for _, env := range []map[string]string{shopify, with(production, "SHOPIFY_API_KEY", fake.APIKey, "SHOPIFY_API_SECRET", fake.Secret,
		"STOCKBELL_SHOPIFY_ADMIN_URL", fake.AdminURL())} {
		m := startServer(t, testEnv(t, env))
		production := env["STOCKBELL_ENV"] == "production"
		if pages, _ := visitEveryRoute(t, m, http.DefaultClient, production); pages < 3 {
			t.Fatalf("only %d HTML pages answered: the test visits too little", pages)
		}
		if production {
			continue // no demo shop to sign in to
		}
		if _, admin := visitEveryRoute(t, m, demoAdminClient(t, m.URL()), production); admin < 8 {
			t.Fatalf("signed in, only %d admin pages answered 200: the test visits too little of the admin", admin)
		}
	}
}

// visitEveryRoute GETs every route with the client and checks the headers
// of each answer. It returns how many were HTML, and how many of those
// were admin pages answered 200.
func visitEveryRoute(t *testing.T, m *Main, client *http.Client, production bool) (pages, adminPages int) {
	t.Helper()
	for _, tpl := range m.Web.RouteTemplates() {
		path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(tpl, "x")
		resp, err := client.Get(m.URL() + path)
		noErr(t, err)
		resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s (%d): nosniff %q, Referrer-Policy %q", path, resp.StatusCode, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		if hsts := h.Get("Strict-Transport-Security"); production != (hsts != "") {
			t.Errorf("%s (%d): Strict-Transport-Security %q", path, resp.StatusCode, hsts)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			continue
		}
		pages++
		if strings.HasPrefix(path, "/admin") && resp.StatusCode == http.StatusOK {
			adminPages++
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "object-src 'none'") || !strings.Contains(csp, "base-uri 'none'") {
			t.Errorf("%s (%d): Content-Security-Policy %q", path, resp.StatusCode, csp)
		}
	}
	return pages, adminPages
}

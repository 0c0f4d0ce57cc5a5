package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/web"
)

// TestStartupAnswersUntilHandedOver: while starting, only GET and HEAD
// of the two probes answer as probes, naming what the server does now;
// anything else is 503 with Retry-After. Once handed over, every request
// goes to the built handler.
func TestStartupAnswersUntilHandedOver(t *testing.T) {
	startup := web.NewStartup("connecting to the database")
	handoff := startup.Handler()
	startup.Doing("applying database migrations")
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/healthz", http.StatusOK},
		{http.MethodHead, "/healthz", http.StatusOK},
		{http.MethodGet, "/readyz", http.StatusServiceUnavailable},
		{http.MethodHead, "/readyz", http.StatusServiceUnavailable},
		{http.MethodPost, "/healthz", http.StatusServiceUnavailable},
		{http.MethodGet, "/", http.StatusServiceUnavailable},
		{http.MethodPost, "/api/storefront/v1/subscriptions", http.StatusServiceUnavailable},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		handoff.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		probe := c.status == http.StatusOK || c.path == "/readyz"
		if rec.Code != c.status || (rec.Header().Get("Retry-After") != "") == probe {
			t.Errorf("%s %s = %d (Retry-After %q), want %d", c.method, c.path, rec.Code, rec.Header().Get("Retry-After"), c.status)
		}
		if c.method == http.MethodGet && !strings.Contains(rec.Body.String(), "applying database migrations") {
			t.Errorf("%s %s does not say what the server does: %q", c.method, c.path, rec.Body.String())
		}
	}

	handoff.Hand(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		rec := httptest.NewRecorder()
		handoff.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusTeapot {
			t.Errorf("GET %s after the handover = %d, want the built handler's answer", path, rec.Code)
		}
	}
}

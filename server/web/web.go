// Package web is Stockbell's HTTP layer: gorilla/mux routes registered per
// area (health, storefront API, platform webhooks and installs, admin),
// middleware, and the mapping of domain errors to HTTP answers. Handlers are
// thin: parse, call a service, render. There is no SQL here.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
)

// Pinger checks that a dependency (the database) answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the services the handlers call, as interfaces.
type Server struct {
	Logger  *slog.Logger
	Metrics *prometheus.Registry
	// Database answers /readyz.
	Database Pinger
	// WebhookMetrics counts the webhooks platforms post, by outcome (nil:
	// not counted).
	WebhookMetrics stockbell.WebhookMetrics

	router        *mux.Router
	metrics       *httpMetrics
	metricsAccess MetricsAccess
	// hsts adds Strict-Transport-Security to every answer (production).
	hsts bool
	// admin, once registered, opens a session for a merchant an install
	// or a platform's load callback has verified.
	admin *Admin
	// webhookPlatforms are the platforms RegisterWebhook serves.
	webhookPlatforms []stockbell.Platform
}

// NewServer returns a server with the health and metrics routes; the
// other areas are added with their Register methods before Handler is
// called.
func NewServer(logger *slog.Logger, registry *prometheus.Registry, database Pinger) *Server {
	s := &Server{Logger: logger, Metrics: registry, Database: database, router: mux.NewRouter()}
	s.metrics = newHTTPMetrics(registry)
	s.router.Use(labelRoute)
	s.router.NotFoundHandler = http.HandlerFunc(s.notFound)
	s.router.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	s.registerHealthRoutes()
	return s
}

// methodStatuses answer a method a route does not serve 405.
var methodStatuses = Statuses{stockbell.EINVALID: http.StatusMethodNotAllowed}

// methodNotAllowed answers a request whose path a route serves with
// another method: 405 in the JSON error shape, with Allow naming the
// methods the path serves.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		try := r.Clone(r.Context())
		try.Method = method
		var match mux.RouteMatch
		if s.router.Match(try, &match) && match.MatchErr == nil {
			allowed = append(allowed, method)
		}
	}
	methods := strings.Join(allowed, ", ")
	w.Header().Set("Allow", methods)
	s.writeError(w, r, stockbell.Errorf(stockbell.EINVALID, "%s %s is not served: use %s.", r.Method, r.URL.Path, methods), methodStatuses)
}

// Handler returns the root handler with the middleware applied.
func (s *Server) Handler() http.Handler {
	return s.recoverPanics(s.observe(s.secureHeaders(s.router)))
}

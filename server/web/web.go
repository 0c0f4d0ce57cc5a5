// Package web is Stockbell's HTTP layer: gorilla/mux routes registered per
// area (health, storefront API, platform webhooks and installs, admin),
// middleware, and the mapping of domain errors to HTTP answers. Handlers are
// thin: parse, call a service, render. There is no SQL here.
package web

import (
	"context"
	"log/slog"
	"net/http"

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
}

// NewServer returns a server with the health and metrics routes; the
// other areas are added with their Register methods before Handler is
// called.
func NewServer(logger *slog.Logger, registry *prometheus.Registry, database Pinger) *Server {
	s := &Server{Logger: logger, Metrics: registry, Database: database, router: mux.NewRouter()}
	s.metrics = newHTTPMetrics(registry)
	s.router.Use(labelRoute)
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.admin != nil && isAdminPage(r) {
			s.admin.noSuchPage(w, r)
			return
		}
		s.Error(w, r, stockbell.Errorf(stockbell.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	})
	s.registerHealthRoutes()
	return s
}

// Handler returns the root handler with the middleware applied.
func (s *Server) Handler() http.Handler {
	return s.recoverPanics(s.observe(s.secureHeaders(s.router)))
}

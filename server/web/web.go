// Package web is Stockbell's HTTP layer: gorilla/mux routes registered per
// area (health, storefront API, platform webhooks and installs, admin),
// middleware, and the mapping of domain errors to HTTP answers. Handlers are
// thin: parse, call a service, render. There is no SQL here.
package web

import (
	"context"
	"encoding/json"
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

	router  *mux.Router
	metrics *httpMetrics
}

// NewServer returns a server with the health and metrics routes; other
// areas are added with Mount before Handler is called.
func NewServer(logger *slog.Logger, registry *prometheus.Registry, database Pinger) *Server {
	s := &Server{Logger: logger, Metrics: registry, Database: database, router: mux.NewRouter()}
	s.metrics = newHTTPMetrics(registry)
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, stockbell.Errorf(stockbell.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	})
	s.registerHealthRoutes()
	return s
}

// Router returns the router so that areas can register their routes.
func (s *Server) Router() *mux.Router { return s.router }

// Mount serves h at the exact path for the given methods, under route name
// used in metrics.
func (s *Server) Mount(path string, h http.Handler, methods ...string) {
	route := s.router.Handle(path, h)
	if len(methods) > 0 {
		route.Methods(methods...)
	}
}

// MountPrefix serves h for every path under prefix.
func (s *Server) MountPrefix(prefix string, h http.Handler) {
	s.router.PathPrefix(prefix).Handler(h)
}

// Handler returns the root handler with the middleware applied.
func (s *Server) Handler() http.Handler {
	return s.recoverPanics(s.observe(s.router))
}

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case stockbell.EINVALID:
		return http.StatusUnprocessableEntity
	case stockbell.ENOTFOUND:
		return http.StatusNotFound
	case stockbell.ECONFLICT:
		return http.StatusConflict
	case stockbell.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case stockbell.EFORBIDDEN:
		return http.StatusForbidden
	case stockbell.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case stockbell.ERATELIMITED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error answer:
// {"error":{"code","message","field"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error answers with the error's status and JSON body. Internal errors are
// logged with the request and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := stockbell.ErrorCode(err)
	if code == stockbell.EINTERNAL {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	WriteJSON(w, statusOf(code), ErrorBody{Error: ErrorDetail{
		Code: code, Message: stockbell.ErrorMessage(err), Field: stockbell.ErrorField(err),
	}})
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

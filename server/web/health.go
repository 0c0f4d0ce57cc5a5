package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	stockbell "github.com/stockbell/stockbell"
)

func (s *Server) registerHealthRoutes() {
	s.router.HandleFunc("/healthz", s.handleHealthz).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/readyz", s.handleReadyz).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/metrics", s.handlePublicMetrics).Methods(http.MethodGet)
}

// MetricsAccess says who may read /metrics.
type MetricsAccess struct {
	// Public serves /metrics on the public listener (Handler); otherwise it
	// answers 404 there, and only MetricsHandler serves it.
	Public bool
	// Token, when set, must come as "Authorization: Bearer TOKEN" wherever
	// /metrics is served.
	Token string
}

// SetMetricsAccess sets who may read /metrics; the zero value serves it
// nowhere but MetricsHandler, to anyone who reaches that.
func (s *Server) SetMetricsAccess(a MetricsAccess) { s.metricsAccess = a }

// MetricsHandler serves /metrics for an internal listener of its own
// (STOCKBELL_METRICS_ADDR), with the token check when a token is set.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	return s.recoverPanics(mux)
}

func (s *Server) handlePublicMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.metricsAccess.Public {
		s.router.NotFoundHandler.ServeHTTP(w, r)
		return
	}
	s.serveMetrics(w, r)
}

// serveMetrics checks the bearer token (in constant time) and serves the
// registry.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if token := s.metricsAccess.Token; token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			s.Error(w, r, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Reading /metrics takes the bearer token of STOCKBELL_METRICS_TOKEN."))
			return
		}
	}
	promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// handleHealthz answers while the process serves HTTP at all.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 only while the database answers, so a load
// balancer stops sending traffic to a replica that lost it.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Database.Ping(ctx); err != nil {
		s.Logger.Warn("readiness check failed", "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

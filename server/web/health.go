package web

import (
	"context"
	"crypto/subtle"
	"database/sql"
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
	ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
	defer cancel()
	pool, counted := s.Database.(poolStats)
	busy := counted && pool.PoolBusy()
	if err := s.Database.Ping(ctx); err != nil {
		s.Logger.Warn("readiness check failed: the database did not answer", "within", readyzTimeout, "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return
	}
	if busy {
		// The replica is slow, not cut off: its requests wait for a
		// connection (a long lock, slow queries, too small a pool).
		stats := pool.Stats()
		s.Logger.Warn("every database connection of this replica is busy; the database answered on a new connection",
			"in_use", stats.InUse, "max_open", stats.MaxOpenConnections, "waits_total", stats.WaitCount, "wait_duration_total", stats.WaitDuration.Round(time.Millisecond))
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

// readyzTimeout bounds /readyz's question to the database.
const readyzTimeout = 2 * time.Second

// poolStats is the database's connection pool, where it has one
// (store.Conn): /readyz names it when every connection is busy.
type poolStats interface {
	PoolBusy() bool
	Stats() sql.DBStats
}

package web

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
)

// httpMetrics are the request counters and latency histograms.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(registry *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockbell_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stockbell_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"route"}),
	}
	registry.MustRegister(m.requests, m.duration)
	return m
}

// statusRecorder remembers the status a handler wrote and the template of
// the route the router matched (labelRoute sets it).
type statusRecorder struct {
	http.ResponseWriter
	status int
	route  string
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe counts and times requests by route template (never by raw path,
// which would make one series per shop or token and put signed tokens in
// logs), and logs slow or failed ones. Every route is labelled the same
// way: labelRoute, run by the router for each matched route, names it;
// anything the router did not match is "unmatched".
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The route comes back on the writer rather than in a context
		// value: a request with a new context is a copy of the request.
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK, route: "unmatched"}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(rec.route, methodLabel(r.Method), strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(rec.route).Observe(elapsed.Seconds())
		level := slog.LevelDebug
		if rec.status >= 500 || elapsed > time.Second {
			level = slog.LevelWarn
		}
		// Asked first, so that a request not logged (debug is off in
		// production) does not box its attributes.
		if s.Logger.Enabled(r.Context(), level) {
			s.Logger.Log(r.Context(), level, "request", "method", methodLabel(r.Method), "route", rec.route, "status", rec.status, "duration", elapsed)
		}
	})
}

// methodLabel is the request's method when it is one of HTTP's own, and
// OTHER for anything a client made up: label values come from a fixed set.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// labelRoute records the template of the route the router matched on
// observe's recorder.
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec := recorderOf(w); rec != nil {
			rec.route = routeOf(r)
		}
		next.ServeHTTP(w, r)
	})
}

// recorderOf finds observe's recorder among the writers wrapping w.
func recorderOf(w http.ResponseWriter) *statusRecorder {
	for {
		switch v := w.(type) {
		case *statusRecorder:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}

// routeOf returns the template of the request's route, for logs:
// "unmatched" outside the router or when it matched none.
func routeOf(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if tpl, err := route.GetPathTemplate(); err == nil {
			return tpl
		}
	}
	return "unmatched"
}

// recoverPanics turns a panicking handler into a logged 500.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("handler panic", "route", routeOf(r), "panic", v, "stack", string(debug.Stack()))
				s.Error(w, r, stockbell.Errorf(stockbell.EINTERNAL, "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

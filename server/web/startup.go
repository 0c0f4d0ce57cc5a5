package web

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// startupRetryAfter is the Retry-After, in seconds, of the answers a
// starting server gives: as often as a waiting server reports who holds
// the migration lock.
const startupRetryAfter = "10"

// Startup answers on a server's listeners from the moment they are bound
// until the server is built: while it migrates its database, or waits for
// another process's migrations. An orchestrator's liveness probe
// (/healthz) then finds the process alive rather than refused, its
// readiness probe (/readyz) routes no traffic to it, and every other
// request is told to come back later, never given to a router not built
// yet. Doing says what the server is doing; a Handoff gives the
// listener's requests to the built server.
type Startup struct {
	doing atomic.Pointer[string]
}

// NewStartup returns the answers of a server doing what doing says.
func NewStartup(doing string) *Startup {
	s := &Startup{}
	s.Doing(doing)
	return s
}

// Doing says what the server does now ("applying database migrations");
// the answers name it from then on. Safe while they are served.
func (s *Startup) Doing(what string) { s.doing.Store(&what) }

func (s *Startup) now() string { return *s.doing.Load() }

// Handler answers on the public listener until the server is built:
// GET and HEAD /healthz 200 and /readyz 503, in their usual JSON shape
// with what the server is doing; anything else 503 (see Unavailable).
func (s *Startup) Handler() *Handoff {
	return newHandoff(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probe := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case probe && r.URL.Path == "/healthz":
			WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "starting": s.now()})
		case probe && r.URL.Path == "/readyz":
			WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "starting": s.now()})
		default:
			s.unavailable(w, r)
		}
	}))
}

// Unavailable answers every request 503 until the server is built: for
// the internal /metrics listener, whose metrics do not exist yet.
func (s *Startup) Unavailable() *Handoff {
	return newHandoff(http.HandlerFunc(s.unavailable))
}

// unavailable answers 503 with Retry-After and, in plain text, what the
// server is doing.
func (s *Startup) unavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", startupRetryAfter)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, "Stockbell is starting: %s. Retry later.\n", s.now())
}

// Handoff serves a listener with one handler until Hand gives it the
// next: the server answers on its listener from before it is built, and
// takes the listener over once it is, without closing it in between.
type Handoff struct {
	current atomic.Pointer[http.Handler]
}

func newHandoff(first http.Handler) *Handoff {
	h := &Handoff{}
	h.Hand(first)
	return h
}

// Hand serves every request from now on with next; requests already
// being answered finish with the handler they started with.
func (h *Handoff) Hand(next http.Handler) { h.current.Store(&next) }

// ServeHTTP serves r with the handler handed last.
func (h *Handoff) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*h.current.Load()).ServeHTTP(w, r)
}

package web

import (
	"log/slog"
	"testing"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// TestNotFoundWordingsAreOfServedRoutes: each route template that
// missingThings words a not-found page for is one the admin serves (with
// every optional page on), so a route renamed without its entry fails here
// rather than falling back to missingPage unnoticed.
func TestNotFoundWordingsAreOfServedRoutes(t *testing.T) {
	admin := newBareAdmin(t, true)
	s := NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	admin.Register(s)
	served := map[string]bool{}
	err := s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if path, err := route.GetPathTemplate(); err == nil {
			served[path] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !served["/admin/subscribers"] {
		t.Fatalf("the walk found no admin page: %v", keys(served))
	}
	for route := range missingThings {
		if !served[route] {
			t.Errorf("missingThings words the not-found page of %s, which the admin does not serve", route)
		}
	}
}

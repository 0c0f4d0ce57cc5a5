package web

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
)

// noRegistrar registers no endpoint: the route walk only needs the
// webhooks pages mounted.
type noRegistrar struct{}

func (noRegistrar) CreateEndpoint(context.Context, stockbell.WebhookEndpointCreate) (*stockbell.WebhookEndpoint, string, error) {
	return nil, "", nil
}

// noFeeds has no feed: the route walk only needs the Sync log's Read now
// mounted.
type noFeeds struct{}

func (noFeeds) DescribeFeed(context.Context, int64) (*stockbell.FeedDescription, error) {
	return nil, stockbell.Errorf(stockbell.ENOTFOUND, "no feed")
}

func (noFeeds) QueueSync(context.Context, int64) error {
	return stockbell.Errorf(stockbell.ENOTFOUND, "no feed")
}

// TestNotFoundWordingsAreOfServedRoutes: each route template that
// missingThings words a not-found page for is one the admin serves (with
// every optional page on), so a route renamed without its entry fails here
// rather than falling back to missingPage unnoticed.
func TestNotFoundWordingsAreOfServedRoutes(t *testing.T) {
	admin := newBareAdmin(t, true)
	admin.Reports, admin.ReportSchedule = &report.Reports{}, admin.Outbox.(*store.DB)
	admin.ReportLinks = &report.Links{Key: []byte("0123456789abcdef0123456789abcdef-report-links"), PublicURL: "http://localhost"}
	admin.Feeds = noFeeds{}
	s := NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	admin.Register(s)
	s.RegisterAPI(APIDeps{Webhooks: noRegistrar{}}).RegisterAdminPages(admin)
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

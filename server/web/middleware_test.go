package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/web"
)

// expiredLinks is a short link service whose every link has expired.
type expiredLinks struct{}

func (expiredLinks) Preview(ctx context.Context, code string) (string, error) {
	return expiredLinks{}.Follow(ctx, code)
}
func (expiredLinks) Follow(context.Context, string) (string, error) {
	return "", stockbell.Errorf(stockbell.EINTERNAL, "the database is gone")
}

// TestRoutesAreLabelledByTemplate: metrics and request logs name the route
// template, never the raw path (which carries signed codes and tokens).
func TestRoutesAreLabelledByTemplate(t *testing.T) {
	var logs bytes.Buffer
	registry := prometheus.NewRegistry()
	server := web.NewServer(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), registry, nil)
	server.RegisterShortLinks(expiredLinks{})
	h := server.Handler()
	for _, path := range []string{"/r/secret-code-1", "/r/secret-code-2", "/nowhere/secret-code-3"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	got := requestCounts(t, registry)
	want := map[string]float64{"GET /r/{code} 500": 2, "GET unmatched 404": 1}
	if len(got) != len(want) || got["GET /r/{code} 500"] != 2 || got["GET unmatched 404"] != 1 {
		t.Errorf("request counters = %v, want %v", got, want)
	}
	if strings.Contains(logs.String(), "secret-code") {
		t.Errorf("the logs name a raw path:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `route=/r/{code}`) {
		t.Errorf("the logs do not name the route template:\n%s", logs.String())
	}
}

// requestCounts reads stockbell_http_requests_total as "METHOD ROUTE STATUS" → count.
func requestCounts(t *testing.T, registry *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "stockbell_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counts[labels["method"]+" "+labels["route"]+" "+labels["status"]] = m.GetCounter().GetValue()
		}
	}
	return counts
}

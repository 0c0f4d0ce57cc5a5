package web

import (
	"encoding/json"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stockbell/stockbell/server/report"
)

// muxPattern is a gorilla/mux variable with its pattern, {id:[0-9]+}.
var muxPattern = regexp.MustCompile(`\{([a-z_]+):[^}]*\}`)

// TestOpenAPIDocumentMatchesRoutes walks the routes the API really serves
// and checks that the OpenAPI document lists each path and method, and
// nothing else.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	s := NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	s.RegisterAPI(APIDeps{Reports: &report.Reports{}})
	served := map[string]bool{}
	err := s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(path, APIPrefix+"/") {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			t.Errorf("route %s has no methods", path)
		}
		for _, m := range methods {
			if m == "HEAD" && slices.Contains(methods, "GET") {
				continue // a GET's HEAD, which the document's description states once
			}
			served[strings.ToLower(m)+" "+muxPattern.ReplaceAllString(path, "{$1}")] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := documentedOperations(t)
	for op := range served {
		if !documented[op] {
			t.Errorf("served but not in openapi.json: %s", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("in openapi.json but not served: %s", op)
		}
	}
	if len(served) < 9 {
		t.Errorf("only %d API operations found: %v", len(served), keys(served))
	}
}

func documentedOperations(t *testing.T) map[string]bool {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	ops := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				ops[method+" "+path] = true
			}
		}
	}
	return ops
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

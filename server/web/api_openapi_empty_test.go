package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// accepts reports whether the document lets the object with these
// properties through.
func (s *documentedSchema) accepts(fields []string) bool {
	has := func(names []string) bool {
		return !slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(fields, n) })
	}
	if !has(s.Required) || len(fields) < s.MinProperties {
		return false
	}
	return len(s.AnyOf) == 0 || slices.ContainsFunc(s.AnyOf, func(b struct {
		Required []string `json:"required"`
	}) bool {
		return has(b.Required)
	})
}

// TestOpenAPIBodiesAgreeOnEmptyObjects: for every operation that takes a
// body, the server refuses {} (and a body of only read-only properties,
// such as the settings' updated_at sent back alone) with 422 exactly when
// the document's schema refuses it (required, minProperties, anyOf), and
// accepts it when the schema does; an operation that takes no body
// accepts {}.
func TestOpenAPIBodiesAgreeOnEmptyObjects(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureWithWebhooks(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		wantAPI(t, apiDo(t, f, key, "POST", "/api/v1/webhooks/endpoints", `{"url":"https://hooks.example.com/x","event_types":["subscription.created"]}`), 201, "an endpoint")
		bodies := readOpenAPIDocument(t).requestBodies()
		if len(bodies) < 5 {
			t.Fatalf("found %d operations with a body in the document", len(bodies))
		}
		for op, schema := range bodies {
			method, path, _ := strings.Cut(op, " ")
			path = strings.ReplaceAll(path, "{id}", "1")
			sends := map[string][]string{"{}": nil}
			var readOnly, values []string
			for name, p := range schema.Properties {
				if p.ReadOnly {
					readOnly = append(readOnly, name)
				}
			}
			slices.Sort(readOnly)
			for _, name := range readOnly {
				values = append(values, `"`+name+`":"2025-03-01T12:00:00Z"`)
			}
			if len(readOnly) > 0 {
				sends["{"+strings.Join(values, ",")+"}"] = readOnly
			}
			for body, fields := range sends {
				a := apiDo(t, f, key, method, path, body)
				switch accepted := schema.accepts(fields); {
				case accepted && (a.Status < 200 || a.Status > 299):
					t.Errorf("%s %s: the document accepts it, the server answered %d %s", op, body, a.Status, a.Raw)
				case !accepted && (a.Status != 422 || a.errorField() == ""):
					t.Errorf("%s %s: the document refuses it, the server answered %d %s, want 422 naming a field", op, body, a.Status, a.Raw)
				}
			}
		}
		a := apiDo(t, f, key, "POST", "/api/v1/feed/sync", "{}")
		if a.Status != 404 || !strings.Contains(a.errorMessage(), "no catalog feed") {
			t.Errorf("POST /api/v1/feed/sync {} (no body taken; the shop has no feed): %d %s", a.Status, a.Raw)
		}
	})
}

package web_test

import (
	"encoding/json"
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// documentedResponse is one response of an operation of the OpenAPI
// document: its content types, none for an answer without a body.
type documentedResponse struct {
	Ref     string                     `json:"$ref"`
	Content map[string]json.RawMessage `json:"content"`
}

// documentedOperation is an operation of the OpenAPI document with its
// responses by status, references resolved.
type documentedOperation struct {
	method, path string
	responses    map[string]documentedResponse
}

// readDocumentedOperations reads every operation of the served OpenAPI
// document.
func readDocumentedOperations(t *testing.T) []documentedOperation {
	t.Helper()
	doc := readOpenAPIDocument(t)
	var ops []documentedOperation
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			var op struct {
				Responses map[string]documentedResponse `json:"responses"`
			}
			if json.Unmarshal(rawOp, &op) != nil || op.Responses == nil {
				continue // the path's own fields
			}
			for status, r := range op.Responses {
				if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
					resolved, found := doc.Components.Responses[name]
					if !found {
						t.Errorf("%s %s %s: no response %s", method, path, status, r.Ref)
					}
					op.Responses[status] = resolved
				}
			}
			ops = append(ops, documentedOperation{strings.ToUpper(method), path, op.Responses})
		}
	}
	return ops
}

// TestOpenAPIDocumentsEveryStatusServed sends each documented operation
// the requests integrators get wrong (no key, an unknown query parameter,
// an empty object, a body over the limit, an id that is not the shop's) and
// checks that every status answered is one the document gives the
// operation, with a content type it documents for that status.
func TestOpenAPIDocumentsEveryStatusServed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureWithWebhooks(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		huge := `{"description":"` + strings.Repeat("a", 1<<20) + `"}`
		for _, op := range readDocumentedOperations(t) {
			path := strings.ReplaceAll(op.path, "{id}", "999999")
			probes := map[string]apiAnswer{
				"no key":                  apiDo(t, f, "", op.method, path, ""),
				"plain":                   apiDo(t, f, key, op.method, path, ""),
				"unknown query parameter": apiDo(t, f, key, op.method, path+"?zz=1", ""),
			}
			if op.method == "PUT" || op.method == "POST" || op.method == "PATCH" {
				probes["empty object"] = apiDo(t, f, key, op.method, path, "{}")
				probes["body over 1 MiB"] = apiDo(t, f, key, op.method, path, huge)
			}
			for name, a := range probes {
				checkDocumented(t, op, name, a)
			}
		}
	})
}

// checkDocumented fails unless the answer's status and content type are
// among those the operation documents.
func checkDocumented(t *testing.T, op documentedOperation, probe string, a apiAnswer) {
	t.Helper()
	status := strconv.Itoa(a.Status)
	documented, ok := op.responses[status]
	if !ok {
		t.Errorf("%s %s, %s: answered %d, not in openapi.json (%v): %.200s", op.method, op.path, probe, a.Status, slices.Sorted(maps.Keys(op.responses)), a.Raw)
		return
	}
	mediaType, _, _ := mime.ParseMediaType(a.Header.Get("Content-Type"))
	if len(documented.Content) == 0 && a.Raw != "" || len(documented.Content) > 0 && documented.Content[mediaType] == nil {
		t.Errorf("%s %s, %s: %d answered as %q, openapi.json gives %v", op.method, op.path, probe, a.Status, mediaType, slices.Sorted(maps.Keys(documented.Content)))
	}
}

// newAPIFixtureWithWebhooks is an API fixture that also serves the
// outbound webhook endpoints' routes, so that every documented operation
// answers.
func newAPIFixtureWithWebhooks(t *testing.T, db *store.DB) *adminFixture {
	t.Helper()
	return newAPIFixtureWithWebhooksOf(t, db, nil)
}

// newAPIFixtureWithWebhooksOf is newAPIFixtureWithWebhooks whose API's
// dependencies change first, as newAPIFixtureOf's do.
func newAPIFixtureWithWebhooksOf(t *testing.T, db *store.DB, change func(*web.APIDeps)) *adminFixture {
	t.Helper()
	sealer, err := oauth.NewSealer(testSessionKey)
	if err != nil {
		t.Fatal(err)
	}
	webhooks := outbound.New(outbound.Deps{Endpoints: db, Shops: db, Users: db, Sealer: sealer}, outbound.Options{Development: true})
	return newAPIFixtureOf(t, db, func(d *web.APIDeps) {
		d.Endpoints, d.Webhooks = db, webhooks
		if change != nil {
			change(d)
		}
	})
}

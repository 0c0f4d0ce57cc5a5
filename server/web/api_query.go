package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// routeVariable is a gorilla/mux path variable with its pattern,
// {id:[0-9]+}; the OpenAPI document writes it {id}.
var routeVariable = regexp.MustCompile(`\{([a-z_]+):[^}]*\}`)

// documentedQuery lists, by operation ("GET /api/v1/subscriptions"), the
// query parameters the OpenAPI document gives it: the parameters the API
// takes, so that the document and the server never disagree.
var documentedQuery = queryParametersOf(openAPIDocument)

// queryParametersOf reads the query parameters of each operation of an
// OpenAPI document, in the document's order.
func queryParametersOf(doc []byte) map[string][]string {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		panic("web: openapi.json: " + err.Error())
	}
	out := map[string][]string{}
	for path, item := range d.Paths {
		for method, raw := range item {
			var op struct {
				Parameters []struct{ Name, In string } `json:"parameters"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue // the path's own fields (parameters, summary)
			}
			names := []string{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out
}

// takesQuery refuses a request with a query parameter its operation does
// not take (an offset on a list paged by cursor would otherwise answer the
// first page for ever), naming the parameter and those it takes.
func (a *API) takesQuery(method, route string, h APIHandler) APIHandler {
	operation := method + " " + routeVariable.ReplaceAllString(route, "{$1}")
	takes := documentedQuery[operation]
	return func(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
		for _, name := range slices.Sorted(maps.Keys(r.URL.Query())) {
			if !slices.Contains(takes, name) {
				err := stockbell.FieldErrorf(name, "Unknown query parameter %q: %s takes %s.", name, operation, wordList(takes, "and", "no query parameters"))
				a.server.Error(w, r, err)
				return
			}
		}
		h(w, r, key)
	}
}

// wordList names words as a sentence does, joined by and or or ("a, b
// and c"), or none when there are none.
func wordList(words []string, conjunction, none string) string {
	switch len(words) {
	case 0:
		return none
	case 1:
		return words[0]
	}
	last := len(words) - 1
	return strings.Join(words[:last], ", ") + " " + conjunction + " " + words[last]
}

package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
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
// first page for ever), naming the parameter and those it takes, or with
// one given twice (?status=queued&status=held would otherwise answer the
// queued ones only).
func (a *API) takesQuery(method, route string, h APIHandler) APIHandler {
	operation := method + " " + routeVariable.ReplaceAllString(route, "{$1}")
	takes := documentedQuery[operation]
	return func(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
		if err := checkQuery(r.URL.Query(), operation, takes); err != nil {
			a.server.Error(w, r, err)
			return
		}
		h(w, r, key)
	}
}

// checkQuery refuses the first parameter of query, by name, that the
// operation does not take or that is given more than once.
func checkQuery(query url.Values, operation string, takes []string) error {
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if !slices.Contains(takes, name) {
			return stockbell.FieldErrorf(name, "Unknown query parameter %q: %s takes %s.", name, operation, wordList(takes, "and", "no query parameters"))
		}
		if n := len(query[name]); n > 1 {
			return stockbell.FieldErrorf(name, "%s is given %d times: give it once.", name, n)
		}
	}
	return nil
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

// queryBool reads a yes-or-no query parameter: true or 1, false or 0, in
// any case, and absent means absent; ok is false for anything else, which
// the caller refuses rather than reads as one or the other.
func queryBool(v string, absent bool) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return absent, true
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// csvOptionsOf reads an export's ?bom as queryBool does, for the API's
// exports and the admin's alike: 1 or true asks for the byte order mark,
// 0, false or nothing leaves it out, and anything else is EINVALID naming
// bom, before any CSV (the admin's own links send only bom=1, so another
// value is an address edited or cut short, not a choice to read as "no").
func csvOptionsOf(q url.Values) (report.CSVOptions, error) {
	bom, ok := queryBool(q.Get("bom"), false)
	if !ok {
		return report.CSVOptions{}, stockbell.FieldErrorf("bom", "bom must be 1 or true (start the file with the byte order mark) or 0 or false, got %q.", q.Get("bom"))
	}
	return report.CSVOptions{BOM: bom}, nil
}

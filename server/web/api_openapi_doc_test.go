package web_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// openAPIDocument is what the API's tests read of the served OpenAPI
// document: its operations by path and method, and the components they
// refer to.
type openAPIDocument struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]*documentedSchema  `json:"schemas"`
		Responses map[string]documentedResponse `json:"responses"`
	} `json:"components"`
}

// documentedSchema is what the OpenAPI document says of a value: its
// types and, for an object, its properties, the ones it requires, how
// many it needs and alternatives of which one must hold (anyOf, each a
// list of required properties).
type documentedSchema struct {
	Ref           string                       `json:"$ref"`
	Type          json.RawMessage              `json:"type"` // "string", or a list of types
	ReadOnly      bool                         `json:"readOnly"`
	Items         *documentedSchema            `json:"items"`
	Properties    map[string]*documentedSchema `json:"properties"`
	Required      []string                     `json:"required"`
	MinProperties int                          `json:"minProperties"`
	AnyOf         []struct {
		Required []string `json:"required"`
	} `json:"anyOf"`
}

// readOpenAPIDocument reads the document the API serves.
func readOpenAPIDocument(t *testing.T) openAPIDocument {
	t.Helper()
	raw, err := os.ReadFile("openapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// resolve follows a schema's reference into the document's components.
func (d openAPIDocument) resolve(s *documentedSchema) *documentedSchema {
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		return d.Components.Schemas[name]
	}
	return s
}

// requestBodies is the JSON request body's schema of every operation
// that takes one, by "METHOD path", its reference resolved.
func (d openAPIDocument) requestBodies() map[string]*documentedSchema {
	bodies := map[string]*documentedSchema{}
	for path, item := range d.Paths {
		for method, rawOp := range item {
			var op struct {
				RequestBody struct {
					Content map[string]struct {
						Schema documentedSchema `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if json.Unmarshal(rawOp, &op) != nil {
				continue // the path's own fields
			}
			if body, ok := op.RequestBody.Content["application/json"]; ok {
				bodies[strings.ToUpper(method)+" "+path] = d.resolve(&body.Schema)
			}
		}
	}
	return bodies
}

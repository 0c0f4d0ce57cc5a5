package web

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEverySubscriptionField: every field a subscription's
// JSON may carry is a property of the OpenAPI document's Subscription
// schema, marked read-only where the API alone sets it, and is named in
// docs/api.md, so that a field added to the answer is never served
// undocumented.
func TestOpenAPIDocumentsEverySubscriptionField(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					ReadOnly bool `json:"readOnly"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["Subscription"].Properties
	api, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	fields := reflect.TypeFor[apiSubscription]()
	for i := range fields.NumField() {
		name, _, _ := strings.Cut(fields.Field(i).Tag.Get("json"), ",")
		if _, ok := schema[name]; !ok {
			t.Errorf("subscription field %s is not in the OpenAPI document's Subscription schema", name)
		}
		if !strings.Contains(string(api), "`"+name+"`") {
			t.Errorf("subscription field %s is not named in docs/api.md", name)
		}
	}
	if p, ok := schema["quiet_hours_until"]; ok && !p.ReadOnly {
		t.Error("quiet_hours_until is not marked readOnly in the OpenAPI document")
	}
}

package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestAPIBodyRefusalsNameTheFieldAndWhy: every route of the API that
// takes a POST, PUT or PATCH answers a field it does not know, or a value
// of the wrong JSON type, with 422 naming the field as sent and saying
// what is wrong: a wait given as a number names the number, not a string
// it was never sent as; a field of the flow is named as sent, not by the
// server's own type; a body sent to the feed sync, which takes its wait
// as a query parameter, is refused rather than ignored. Every field the
// OpenAPI document lists in a body (documentedBodyFields) sent with a value
// of another type is refused naming the type and the value as sent, so a
// number 2100 and a string "2100" read apart. Nothing is stored, synced or
// queued.
func TestAPIBodyRefusalsNameTheFieldAndWhy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		syncer := &feedSyncerStub{report: &stockbell.SyncReport{Source: stockbell.FeedSource}}
		f := newAPIFixtureWithWebhooksOf(t, db, func(d *web.APIDeps) { d.Feeds = syncer })
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		endpoint := apiDo(t, f, key, "POST", "/api/v1/webhooks/endpoints", `{"url":"https://hooks.example.com/x","event_types":["subscription.created"]}`)
		wantAPI(t, endpoint, 201, "an endpoint")
		settingsBefore, flowBefore := settingsOf(t, db, w.shop), flowOf(t, db, w.shop)
		cases := []struct{ method, path, body, field, message string }{
			{"PUT", "/api/v1/settings", `{"wait":5}`, "wait", `wait must be a JSON string, a duration such as "30m" or "2h", got number 5.`},
			{"PUT", "/api/v1/settings", `{"wait":null}`, "wait", `wait must be a JSON string, a duration such as "30m" or "2h", got null.`},
			{"PUT", "/api/v1/settings", `{"attribution_window":true}`, "attribution_window", `attribution_window must be a JSON string, a duration such as "30m" or "2h", got bool true.`},
			{"PUT", "/api/v1/settings", `{"time_zone":5}`, "time_zone", `time_zone must be a JSON string, an IANA time zone such as "Europe/Paris", got number 5.`},
			{"PUT", "/api/v1/settings", `{"time_zone":["Europe/Paris"]}`, "time_zone", `time_zone must be a JSON string, an IANA time zone such as "Europe/Paris", got array.`},
			{"PUT", "/api/v1/settings", `{"min_inventory":true}`, "min_inventory", `min_inventory must be a whole number (a JSON number), got bool true.`},
			{"PUT", "/api/v1/settings", `{"min_inventory":"5"}`, "min_inventory", `min_inventory must be a whole number (a JSON number), got string "5".`},
			{"PUT", "/api/v1/settings", `{"per_unit":null}`, "per_unit", `per_unit must be a whole number (a JSON number), got null.`},
			{"PUT", "/api/v1/settings", `{"email_double_opt_in":"yes"}`, "email_double_opt_in", `email_double_opt_in must be true or false (a JSON boolean), got string "yes".`},
			{"PUT", "/api/v1/settings", `{"email_double_opt_in":1}`, "email_double_opt_in", `email_double_opt_in must be true or false (a JSON boolean), got number 1.`},
			{"PUT", "/api/v1/settings", `{"quiet_hours":"true"}`, "quiet_hours", `quiet_hours must be true or false (a JSON boolean), got string "true".`},
			{"PUT", "/api/v1/settings", `{"quiet_hours":"` + strings.Repeat("é", 30) + `"}`, "quiet_hours", `quiet_hours must be true or false (a JSON boolean), got string "` + strings.Repeat("é", 19) + `…` + "."},
			{"PUT", "/api/v1/settings", `{"quiet_hours":2100}`, "quiet_hours", `quiet_hours must be true or false (a JSON boolean), got number 2100.`},
			{"PUT", "/api/v1/settings", `{"quiet_hours_start":2100}`, "quiet_hours_start", `quiet_hours_start must be a JSON string, a 24-hour time such as "21:00", got number 2100.`},
			{"PUT", "/api/v1/settings", `{"quiet_hours_end":true}`, "quiet_hours_end", `quiet_hours_end must be a JSON string, a 24-hour time such as "21:00", got bool true.`},
			{"PUT", "/api/v1/settings", `{"wait":"soon"}`, "wait", `wait must be a duration such as 30m or 2h, got "soon"`},
			{"PUT", "/api/v1/flow", `{"status":5,"steps":[]}`, "status", "status must be a JSON string, got number 5."},
			{"PUT", "/api/v1/flow", `{"status":"true","steps":[]}`, "status", `Flow status must be live, manual or draft, got "true".`},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","delay":30}]}`, "steps[0].delay", "steps[0].delay must be a JSON string, got number 30."},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","delay":"0s","smart_sending_hours":"12"}]}`, "steps[0].smart_sending_hours", `steps[0].smart_sending_hours must be a JSON number, got string "12".`},
			{"PUT", "/api/v1/flow", `{"status":"live","template":true,"steps":[]}`, "template", "template must be a JSON string, got bool true."},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[],"wait":5}`, "wait", `Unknown field "wait".`},
			{"POST", "/api/v1/subscriptions", `{"wait":5}`, "wait", `Unknown field "wait".`},
			{"POST", "/api/v1/subscriptions", `{"email":5}`, "email", "email must be a JSON string, got number 5."},
			{"POST", "/api/v1/subscriptions", `{"sms_consent":"false"}`, "sms_consent", `sms_consent must be a JSON boolean, got string "false".`},
			{"POST", "/api/v1/subscriptions", `{"variant_id":true}`, "variant_id", "variant_id must be a JSON string or whole number, got bool true."},
			{"POST", "/api/v1/webhooks/endpoints", `{"url":5}`, "url", "url must be a JSON string, got number 5."},
			{"POST", "/api/v1/webhooks/endpoints", `{"url":"https://hooks.example.com/y","event_types":"subscription.created"}`, "event_types", `event_types must be a JSON array, got string "subscription.created".`},
			{"POST", "/api/v1/webhooks/endpoints", `{"url":"https://hooks.example.com/y","event_types":["subscription.created",5]}`, "event_types", "event_types must be a JSON string, got number 5."},
			{"PATCH", "/api/v1/webhooks/endpoints/1", `{"enabled":"no"}`, "enabled", `enabled must be a JSON boolean, got string "no".`},
			{"PATCH", "/api/v1/webhooks/endpoints/1", `{"enabled":0}`, "enabled", "enabled must be a JSON boolean, got number 0."},
			{"POST", "/api/v1/feed/sync", `{"wait":false}`, "wait", "wait is a query parameter of POST /api/v1/feed/sync (?wait=false), not a field of a body: send no body."},
			{"POST", "/api/v1/feed/sync", `{"zz":1}`, "zz", `Unknown field "zz": POST /api/v1/feed/sync takes no body.`},
			{"POST", "/api/v1/feed/sync", `[]`, "body", "The request body must be a JSON object, got array."},
		}
		for _, c := range cases {
			a := apiDo(t, f, key, c.method, c.path, c.body)
			if a.Status != 422 || a.errorField() != c.field || a.errorMessage() != c.message {
				t.Errorf("%s %s %s: %d %s\nwant 422 field %q message %q", c.method, c.path, c.body, a.Status, a.Raw, c.field, c.message)
			}
		}
		for _, c := range documentedBodyFields(t) {
			a := apiDo(t, f, key, c.method, strings.ReplaceAll(c.path, "{id}", "1"), c.body)
			if a.Status != 422 || a.errorField() != c.field || !strings.HasSuffix(a.errorMessage(), ", got "+c.sent+".") {
				t.Errorf("%s %s %s: %d %s\nwant 422 field %q message ending \", got %s.\"", c.method, c.path, c.body, a.Status, a.Raw, c.field, c.sent)
			}
		}
		for _, op := range readDocumentedOperations(t) {
			if op.method != "POST" && op.method != "PUT" && op.method != "PATCH" {
				continue
			}
			a := apiDo(t, f, key, op.method, strings.ReplaceAll(op.path, "{id}", "1"), `{"wait":5}`)
			if a.Status != 422 || a.errorField() != "wait" || !strings.Contains(a.errorMessage(), "wait") {
				t.Errorf(`%s %s {"wait":5}: %d %s, want 422 naming wait`, op.method, op.path, a.Status, a.Raw)
			}
		}
		if after := settingsOf(t, db, w.shop); after != settingsBefore {
			t.Errorf("refused bodies stored settings: %+v → %+v", settingsBefore, after)
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(flowBefore.UpdatedAt) {
			t.Errorf("a refused body stored the flow")
		}
		if syncer.synced+syncer.queued != 0 {
			t.Errorf("refused bodies synced %d and queued %d feed syncs", syncer.synced, syncer.queued)
		}
		wantAPI(t, apiDo(t, f, key, "POST", "/api/v1/feed/sync?wait=false", ""), 202, "a feed sync without a body")
		wantAPI(t, apiDo(t, f, key, "POST", "/api/v1/feed/sync", " {} "), 200, "a feed sync with an empty object")
	})
}

// wrongTypedField is a body that sends one field of an operation's
// documented body with a value of a JSON type the document does not allow
// it, and the field and value its refusal must name.
type wrongTypedField struct{ method, path, body, field, sent string }

// documentedBodyFields is a wrongTypedField for every field the OpenAPI
// document lists in a request body, and in the objects of its arrays (a
// flow's steps): a string-looking number (2100) where a string is
// expected, a number-looking string ("2100") where it is not, true where
// both are; and the same within an array of strings.
func documentedBodyFields(t *testing.T) []wrongTypedField {
	t.Helper()
	doc := readOpenAPIDocument(t)
	resolve := doc.resolve
	var cases []wrongTypedField
	for op, top := range doc.requestBodies() {
		method, path, _ := strings.Cut(op, " ")
		add := func(field string, fields map[string]*documentedSchema, wrap func(string) string) {
			for name, s := range fields {
				if s = resolve(s); s.ReadOnly {
					continue
				}
				value, kind := wrongValueFor(s.documentedTypes())
				cases = append(cases, wrongTypedField{method, path, wrap(`{"` + name + `":` + value + `}`), field + name, kind})
				if s.Items != nil && resolve(s.Items).Properties == nil { // an array of objects: its fields are added below
					value, kind := wrongValueFor(resolve(s.Items).documentedTypes())
					cases = append(cases, wrongTypedField{method, path, wrap(`{"` + name + `":[` + value + `]}`), field + name, kind})
				}
			}
		}
		add("", top.Properties, func(b string) string { return b })
		for name, s := range top.Properties {
			if s = resolve(s); s.Items != nil && resolve(s.Items).Properties != nil {
				add(name+"[0].", resolve(s.Items).Properties, func(b string) string { return `{"` + name + `":[` + b + `]}` })
			}
		}
	}
	if len(cases) < 30 {
		t.Fatalf("the OpenAPI document lists %d body fields, want the settings', flow's, subscriptions' and webhook endpoints'", len(cases))
	}
	return cases
}

// documentedTypes are the JSON types the schema allows.
func (s *documentedSchema) documentedTypes() []string {
	var types []string
	if json.Unmarshal(s.Type, &types) != nil {
		var one string
		json.Unmarshal(s.Type, &one)
		types = []string{one}
	}
	return types
}

// wrongValueFor is a value of none of the types and how a refusal names it.
func wrongValueFor(types []string) (value, named string) {
	switch {
	case !slices.Contains(types, "string"):
		return `"2100"`, `string "2100"`
	case !slices.Contains(types, "integer") && !slices.Contains(types, "number"):
		return "2100", "number 2100"
	}
	return "true", "bool true"
}

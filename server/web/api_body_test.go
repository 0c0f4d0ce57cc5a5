package web_test

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPIRefusesTrailingData: every JSON body of the admin API is one JSON
// object; anything after it but whitespace is refused naming the body, and
// nothing of the first object is stored.
func TestAPIRefusesTrailingData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		settings := `{"min_inventory":7}`
		subscription := `{"variant_id":"v-m","channels":["email"],"email":"trailing@example.com"}`
		flow := `{"status":"draft","steps":[{"channel":"email","delay":"1h"}]}`
		cases := []struct{ method, path, body string }{
			{"PUT", "/api/v1/settings", settings + "garbage"},
			{"PUT", "/api/v1/settings", settings + `{"min_inventory":8}`},
			{"PUT", "/api/v1/settings", settings + "}"},
			{"PUT", "/api/v1/settings", settings + "\n]"},
			{"PUT", "/api/v1/flow", flow + " null"},
			{"POST", "/api/v1/subscriptions", subscription + subscription},
			{"POST", "/api/v1/subscriptions", subscription + "x"},
		}
		before, flowBefore := settingsOf(t, db, w.shop), flowOf(t, db, w.shop)
		for _, c := range cases {
			a := apiDo(t, f, key, c.method, c.path, c.body)
			if a.Status != 422 || a.errorField() != "body" || !strings.Contains(a.errorMessage(), "after its JSON object") {
				t.Errorf("%s %s %s: %d %s, want 422 naming the trailing data", c.method, c.path, c.body, a.Status, a.Raw)
			}
		}
		if after := settingsOf(t, db, w.shop); after != before {
			t.Errorf("refused bodies stored settings: %+v → %+v", before, after)
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(flowBefore.UpdatedAt) {
			t.Errorf("a refused body stored the flow")
		}
		if subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &w.shop.ID}); len(subs) != 0 {
			t.Errorf("refused bodies stored %d subscriptions", len(subs))
		}
		if a := apiDo(t, f, key, "PUT", "/api/v1/settings", `[{"min_inventory":3}]`); a.Status != 422 || a.errorField() != "body" ||
			a.errorMessage() != "The request body must be a JSON object, got array." {
			t.Errorf("a body that is not an object: %d %s", a.Status, a.Raw)
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", settings+"\r\n \t"), 200, "a body followed by whitespace")
	})
}

// TestAPIVariantIDOfTheWrongType: variant_id of another JSON type than a
// string or a whole number is named with the type it must be, as any other
// field of the wrong type is.
func TestAPIVariantIDOfTheWrongType(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		for value, got := range map[string]string{"true": "bool true", "{}": "object", "[]": "array", `["v-m"]`: "array", "2.5": "number 2.5"} {
			a := apiDo(t, f, key, "POST", "/api/v1/subscriptions", `{"variant_id":`+value+`,"channels":["email"],"email":"a@example.com"}`)
			want := "variant_id must be a JSON string or whole number, got " + got + "."
			if a.Status != 422 || a.errorField() != "variant_id" || a.errorMessage() != want {
				t.Errorf("variant_id %s: %d %s, want 422 %q", value, a.Status, a.Raw, want)
			}
		}
		if a := apiDo(t, f, key, "POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["email"],"email":5}`); a.errorMessage() != "email must be a JSON string, got number 5." {
			t.Errorf("email of the wrong type: %d %s", a.Status, a.Raw)
		}
		if subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &w.shop.ID}); len(subs) != 0 {
			t.Errorf("refused bodies stored %d subscriptions", len(subs))
		}
	})
}

// TestAPIFlowErrorsNameTheStep: every error about a step of PUT /api/v1/flow
// names it as steps[N].field, N counted from 0 as validation counts it: a
// value of the wrong JSON type, an unknown field, a step that is not an
// object, and the same inside a step's translations, which name their
// language too. Nothing is stored.
func TestAPIFlowErrorsNameTheStep(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		flow := func(second string) string {
			return `{"status":"live","steps":[{"channel":"email","delay":"0s"},` + second + `]}`
		}
		cases := []struct{ body, field, message string }{
			{flow(`{"channel":"sms","smart_sending_hours":"2"}`), "steps[1].smart_sending_hours",
				`steps[1].smart_sending_hours must be a JSON number, got string "2".`},
			{flow(`{"channel":"sms","skip_if_out_of_stock":"yes"}`), "steps[1].skip_if_out_of_stock",
				`steps[1].skip_if_out_of_stock must be a JSON boolean, got string "yes".`},
			{flow(`{"channel":"sms","delay":3600}`), "steps[1].delay", "steps[1].delay must be a JSON string, got number 3600."},
			{flow(`{"channel":"sms","dealy":"1h"}`), "steps[1].dealy", `Unknown field "steps[1].dealy".`},
			{flow(`"sms"`), "steps[1]", `steps[1] must be a JSON object, got string "sms".`},
			{flow(`{"channel":"email","translations":["fr"]}`), "steps[1].translations",
				"steps[1].translations must be a JSON object, got array."},
			{flow(`{"channel":"email","translations":{"fr":"Retour"}}`), "steps[1].translations.fr",
				`steps[1].translations.fr must be a JSON object, got string "Retour".`},
			{flow(`{"channel":"email","translations":{"fr":{"subject":5}}}`), "steps[1].translations.fr.subject",
				"steps[1].translations.fr.subject must be a JSON string, got number 5."},
			{flow(`{"channel":"email","translations":{"fr":{"title":"Retour"}}}`), "steps[1].translations.fr.title",
				`Unknown field "steps[1].translations.fr.title".`},
			{flow(`{"channel":"sms","delay":"later"}`), "steps[1].delay", "Write the wait as a duration"},
			{flow(`{"channel":"sms","smart_sending_hours":-1}`), "steps[1].smart_sending_hours", "Smart sending is 0 (off)"},
			{`{"status":"live","steps":{"channel":"email"}}`, "steps", "steps must be a JSON array, got object."},
		}
		before := flowOf(t, db, w.shop)
		for _, c := range cases {
			a := apiDo(t, f, key, "PUT", "/api/v1/flow", c.body)
			if a.Status != 422 || a.errorField() != c.field || !strings.HasPrefix(a.errorMessage(), c.message) {
				t.Errorf("%s: %d %s, want 422 field %q message %q", c.body, a.Status, a.Raw, c.field, c.message)
			}
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a refused flow was stored")
		}
		put := apiDo(t, f, key, "PUT", "/api/v1/flow", flow(`{"channel":"email","delay":"24h","translations":{"fr":{"subject":"De retour"}}}`))
		wantAPI(t, put, 200, "a flow with a translated step")
		if got := flowOf(t, db, w.shop); len(got.Steps) != 2 || got.Steps[1].Translations["fr"].Subject != "De retour" {
			t.Errorf("stored flow: %+v", got)
		}
	})
}

// TestAPIFlowRefusesATemplateThatCannotRender: a text whose template does
// not parse or render, in a step or in one of its translations, is
// refused naming it, and nothing is stored: stored, every alert of the
// flow would fail when it is sent.
func TestAPIFlowRefusesATemplateThatCannotRender(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		before := flowOf(t, db, w.shop)
		for body, field := range map[string]string{
			`{"status":"live","steps":[{"channel":"email","delay":"0s","body":"Back: {{.Variant.ProductTitle"}]}`:                          "steps[0].body",
			`{"status":"live","steps":[{"channel":"email","delay":"0s","subject":"{{.NoSuchField}}"}]}`:                                    "steps[0].subject",
			`{"status":"live","steps":[{"channel":"email","delay":"0s","translations":{"fr":{"subject":"De retour {{if}}"}}}]}`:            "steps[0].translations.fr.subject",
			`{"status":"live","steps":[{"channel":"email","delay":"0s"},{"channel":"email","delay":"24h","html":"<p>{{.Shop.Nme}}</p>"}]}`: "steps[1].html",
		} {
			a := apiDo(t, f, key, "PUT", "/api/v1/flow", body)
			if a.Status != 422 || a.errorField() != field {
				t.Errorf("%s: %d %s, want 422 naming %s", body, a.Status, a.Raw, field)
			}
			if msg := a.errorMessage(); strings.Contains(msg, "delivery.") || strings.Contains(msg, "TemplateData") {
				t.Errorf("%s: the message shows Go types: %s", body, msg)
			}
		}
		a := apiDo(t, f, key, "PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","delay":"0s","html":"<p>{{.Shop.Nme}}</p>"}]}`)
		if msg := a.errorMessage(); !strings.Contains(msg, ".Shop has no field Nme") || !strings.Contains(msg, ".Shop.Name") {
			t.Errorf("want the unknown field and those that can be used: %s", msg)
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a flow that cannot render was stored")
		}
	})
}

// TestAPIFlowPutIgnoresUpdatedAt: a PUT ignores updated_at, whatever it
// holds, as the docs promise, rather than refusing the body with the
// format Go reads times in.
func TestAPIFlowPutIgnoresUpdatedAt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		for _, at := range []string{`"yesterday"`, `5`, `"2025-01-01T00:00:00Z"`} {
			a := apiDo(t, f, key, "PUT", "/api/v1/flow", `{"status":"live","updated_at":`+at+`,"steps":[{"channel":"email","delay":"0s"}]}`)
			wantAPI(t, a, 200, "a flow with updated_at "+at)
			if strings.Contains(a.Raw, "2006-01-02") {
				t.Errorf("updated_at %s: %s", at, a.Raw)
			}
		}
	})
}

// TestAPISettingsRefuseNull: null is no value of any setting; it is
// refused naming the field, as for the numbers and durations, and nothing
// changes (a null email_double_opt_in does not turn double opt-in off).
func TestAPISettingsRefuseNull(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"email_double_opt_in":true}`), 200, "turning double opt-in on")
		before := apiDo(t, f, key, "GET", "/api/v1/settings", "")
		for _, field := range []string{"email_double_opt_in", "min_inventory", "per_unit", "wait", "attribution_window", "time_zone"} {
			a := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"`+field+`":null}`)
			if a.Status != 422 || a.errorField() != field {
				t.Errorf("%s null: %d %s", field, a.Status, a.Raw)
			}
		}
		if after := apiDo(t, f, key, "GET", "/api/v1/settings", ""); after.Raw != before.Raw || after.Header.Get("ETag") != before.Header.Get("ETag") {
			t.Errorf("settings changed:\n%s\n%s", before.Raw, after.Raw)
		}
	})
}

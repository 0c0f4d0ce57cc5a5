package web_test

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSubscribeRefusesTrailingData: a body is one JSON object. Anything
// after it but whitespace (garbage, a second object, a stray brace) is
// refused naming the body, and nothing is stored.
func TestSubscribeRefusesTrailingData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		valid := body(nil)
		for _, trailing := range []string{"garbage", valid, " {}", "}", "\n[1]", "null", `"x"`} {
			status, out, _ := f.post(t, valid+trailing)
			errBody, _ := out["error"].(map[string]any)
			if status != 422 || errBody["code"] != "invalid" || errBody["field"] != "body" ||
				!strings.Contains(errBody["message"].(string), "after its JSON object") {
				t.Errorf("body followed by %q: %d %v, want 422 invalid naming the trailing data", trailing, status, out)
			}
		}
		if n := f.count(t); n != 0 {
			t.Fatalf("refused requests stored %d subscriptions", n)
		}
		if status, out, _ := f.post(t, valid+" \r\n\t"); status != 201 {
			t.Fatalf("a body followed by whitespace: %d %v, want 201", status, out)
		}
	})
}

// TestSubscribeFieldOfTheWrongType: a field of the wrong JSON type is
// named with the type it must be, whether variant_id (a string, or a whole
// number from themes that print ids raw) or any other field; the honeypot
// answers the same error. Nothing is stored.
func TestSubscribeFieldOfTheWrongType(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		cases := []struct {
			fields  map[string]any
			field   string
			message string
		}{
			{map[string]any{"variant_id": true}, "variant_id", "variant_id must be a JSON string or whole number, got bool true."},
			{map[string]any{"variant_id": map[string]any{}}, "variant_id", "variant_id must be a JSON string or whole number, got object."},
			{map[string]any{"variant_id": []any{}}, "variant_id", "variant_id must be a JSON string or whole number, got array."},
			{map[string]any{"variant_id": 1.5}, "variant_id", "variant_id must be a JSON string or whole number, got number 1.5."},
			{map[string]any{"variant_id": -111}, "variant_id", "variant_id must be a JSON string or whole number, got number -111."},
			{map[string]any{"email": 5}, "email", "email must be a JSON string, got number 5."},
			{map[string]any{"channels": "email"}, "channels", `channels must be a JSON array, got string "email".`},
		}
		for _, c := range cases {
			for _, hp := range []string{"", "filled"} {
				fields := map[string]any{"hp": hp}
				for k, v := range c.fields {
					fields[k] = v
				}
				status, out, _ := f.post(t, body(fields))
				errBody, _ := out["error"].(map[string]any)
				if status != 422 || errBody["code"] != "invalid" || errBody["field"] != c.field || errBody["message"] != c.message {
					t.Errorf("%v (honeypot %q): %d %v, want 422 field %s %q", c.fields, hp, status, out, c.field, c.message)
				}
			}
		}
		for value, got := range map[string]string{"[1]": "array", `"shop"`: `string "shop"`, "5": "number 5"} {
			status, out, _ := f.post(t, value)
			errBody, _ := out["error"].(map[string]any)
			if want := "The request body must be a JSON object, got " + got + "."; status != 422 || errBody["field"] != "body" || errBody["message"] != want {
				t.Errorf("body %s: %d %v, want 422 naming the body %q", value, status, out, want)
			}
		}
		for _, missing := range []any{nil, "", "  "} {
			status, out, _ := f.post(t, body(map[string]any{"variant_id": missing}))
			if errBody, _ := out["error"].(map[string]any); status != 422 || errBody["message"] != "The variant is missing." {
				t.Errorf("variant_id %q: %d %v, want the variant missing", missing, status, out)
			}
		}
		if subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &f.shop.ID}); len(subs) != 0 {
			t.Fatalf("refused requests stored %d subscriptions", len(subs))
		}
	})
}

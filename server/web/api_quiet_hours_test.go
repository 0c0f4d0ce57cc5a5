package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPISubscriptionSaysUntilWhenItsTextIsHeld: GET /api/v1/subscriptions
// gives a subscription whose text is held for quiet hours quiet_hours_until
// (RFC 3339), and none to any other or once the quiet hours are over;
// another shop's key does not see it.
func TestAPISubscriptionSaysUntilWhenItsTextIsHeld(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		h := newHeldText(t, f)
		key := mustAPIKey(t, db, h.shop)
		until := func() map[string]any {
			a := apiDo(t, f, key, http.MethodGet, "/api/v1/subscriptions", "")
			if a.Status != http.StatusOK {
				t.Fatalf("GET /subscriptions = %d %s", a.Status, a.Raw)
			}
			out := map[string]any{}
			for _, s := range a.Body["subscriptions"].([]any) {
				s := s.(map[string]any)
				out[fmt.Sprint(s["id"])] = s["quiet_hours_until"]
			}
			return out
		}
		got := until()
		if want := h.until.UTC().Format(time.RFC3339); got[fmt.Sprint(h.sub.ID)] != want || len(got) != 1 {
			t.Fatalf("quiet_hours_until by subscription %v, want %s for %d", got, want, h.sub.ID)
		}
		other := apiDo(t, f, mustAPIKey(t, db, h.other), http.MethodGet, "/api/v1/subscriptions", "")
		if strings.Contains(other.Raw, "quiet_hours_until") || strings.Contains(other.Raw, parisPhone) {
			t.Fatalf("another shop's key sees the held text: %s", other.Raw)
		}
		f.clock.Add(h.until.Sub(f.clock.Now()))
		if got := until(); got[fmt.Sprint(h.sub.ID)] != nil {
			t.Fatalf("at 09:00 in Paris quiet_hours_until is %v, want none", got)
		}
	})
}

// TestAPIPageOfManyHeldTextsSaysEachUntilWhen: a page of more
// subscriptions than one read of messages returns (a hundred), every one
// with a text held for quiet hours, gives each its quiet_hours_until.
func TestAPIPageOfManyHeldTextsSaysEachUntilWhen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		var phones []string
		for i := range 120 {
			phones = append(phones, fmt.Sprintf("+3361240%04d", i)) // Paris mobiles
		}
		h := newHeldText(t, f, phones...)
		a := apiDo(t, f, mustAPIKey(t, db, h.shop), http.MethodGet, "/api/v1/subscriptions?limit=200", "")
		if a.Status != http.StatusOK {
			t.Fatalf("GET /subscriptions = %d %s", a.Status, a.Raw)
		}
		subs, want := a.Body["subscriptions"].([]any), h.until.UTC().Format(time.RFC3339)
		if len(subs) != 121 {
			t.Fatalf("%d subscriptions, want 121", len(subs))
		}
		var without []any
		for _, s := range subs {
			if s := s.(map[string]any); s["quiet_hours_until"] != want {
				without = append(without, s["id"])
			}
		}
		if len(without) > 0 {
			t.Fatalf("%d of 121 held texts' subscriptions lack quiet_hours_until %s: %v", len(without), want, without)
		}
	})
}

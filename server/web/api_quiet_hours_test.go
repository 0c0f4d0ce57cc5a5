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

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestEmailDoubleOptInSetting: the API's email_double_opt_in field and the
// settings page's checkbox turn the shop's email double opt-in on and off.
func TestEmailDoubleOptInSetting(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		a := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"email_double_opt_in":true}`)
		if a.Status != 200 || a.Body["email_double_opt_in"] != true || !settingsOf(t, db, w.shop).EmailDoubleOptIn {
			t.Fatalf("turning it on by the API: %d %s", a.Status, a.Raw)
		}
		if a := apiDo(t, f, key, "GET", "/api/v1/settings", ""); a.Body["email_double_opt_in"] != true {
			t.Fatalf("GET settings: %s", a.Raw)
		}

		admin := newAdminFixture(t, db)
		b := admin.signIn(t, w.shop)
		form := b.get("/admin/settings")
		wantStatus(t, form, http.StatusOK, "the settings page")
		if !strings.Contains(form.Body, `name="email_double_opt_in" checked`) {
			t.Fatalf("the page does not show double opt-in on:\n%.4000s", form.Body)
		}
		p := b.post("/admin/settings", url.Values{"csrf_token": {form.csrf(t)}, "min_inventory": {"1"}, "per_unit": {"0"}, "wait": {"1h"}})
		wantStatus(t, p, http.StatusSeeOther, "saving with the box unticked")
		if settingsOf(t, db, w.shop).EmailDoubleOptIn {
			t.Fatal("unticking the box left email double opt-in on")
		}
		form = b.get("/admin/settings")
		p = b.post("/admin/settings", url.Values{"csrf_token": {form.csrf(t)}, "min_inventory": {"1"}, "per_unit": {"0"}, "wait": {"1h"},
			"email_double_opt_in": {"on"}})
		wantStatus(t, p, http.StatusSeeOther, "saving with the box ticked")
		if !settingsOf(t, db, w.shop).EmailDoubleOptIn {
			t.Fatal("ticking the box did not turn email double opt-in on")
		}
	})
}

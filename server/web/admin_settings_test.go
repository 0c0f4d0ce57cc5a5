package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

func settingsOf(t *testing.T, db *store.DB, shop *stockbell.Shop) stockbell.RestockSettings {
	t.Helper()
	s, err := db.FindSettings(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	return *s
}

func TestSettingsFormSavesAndExplains(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		form := b.get("/admin/settings")
		wantStatus(t, form, http.StatusOK, "the settings page")
		if !strings.Contains(form.Body, "When 20 units come back, everyone waiting is notified at once.") {
			t.Errorf("the default settings' example is missing:\n%.3000s", form.Body)
		}
		p := b.post("/admin/settings", url.Values{"csrf_token": {form.csrf(t)}, "min_inventory": {"3"}, "per_unit": {"5"}, "wait": {"90m"}})
		wantStatus(t, p, http.StatusSeeOther, "saving")
		got := settingsOf(t, db, shop)
		if got.MinInventory != 3 || got.PerUnit != 5 || got.Wait != 90*time.Minute {
			t.Fatalf("stored %+v", got)
		}
		saved := b.get(p.Header.Get("Location"))
		if !strings.Contains(saved.Body, "Settings saved.") || !strings.Contains(saved.Body, `value="1h30m"`) ||
			!strings.Contains(saved.Body, "20 units × 5 per unit = the oldest 100 notified, then wait 1 hour 30 minutes") ||
			!strings.Contains(saved.Body, "The wait follows every batch, even one that notifies everyone waiting.") {
			t.Errorf("page after saving:\n%.4000s", saved.Body)
		}
	})
}

// TestSettingsValidationMatchesCLI posts each bad value: the page answers
// 422 with the domain's message (the one `settings set` prints) beside the
// field, keeps what was typed, and stores nothing.
func TestSettingsValidationMatchesCLI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		before := settingsOf(t, db, shop)
		cases := []struct{ min, per, wait, field, message string }{
			{"0", "5", "1h", "min_inventory", "min_inventory must be between 1 and 1000000, got 0"},
			{"2", "-1", "1h", "per_unit", "per_unit must be between 0 (everyone) and 10000, got -1"},
			{"2", "5", "30s", "wait", "wait must be between 1m and 720h, got 30s"},
			{"two", "5", "1h", "min_inventory", "min_inventory must be a whole number"},
			{"2", "5", "soon", "wait", "wait must be a duration such as 30m or 2h"},
		}
		for _, c := range cases {
			token := b.get("/admin/settings").csrf(t)
			p := b.post("/admin/settings", url.Values{"csrf_token": {token}, "min_inventory": {c.min}, "per_unit": {c.per}, "wait": {c.wait}})
			wantStatus(t, p, http.StatusUnprocessableEntity, c.field)
			if !strings.Contains(p.Body, c.message) || !strings.Contains(p.Body, `id="`+c.field+`-error"`) ||
				!strings.Contains(p.Body, `value="`+c.wait+`"`) {
				t.Errorf("%s: page lacks the message %q beside the field, or the typed value:\n%.3000s", c.field, c.message, p.Body)
			}
		}
		if after := settingsOf(t, db, shop); after != before {
			t.Fatalf("refused posts changed the settings: %+v → %+v", before, after)
		}
	})
}

func TestCSRFIsRequiredForChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		before := settingsOf(t, db, shop)
		change := url.Values{"min_inventory": {"9"}, "per_unit": {"9"}, "wait": {"9h"}}
		wantStatus(t, b.post("/admin/settings", change), http.StatusForbidden, "no CSRF token")
		change.Set("csrf_token", "not-the-token")
		wantStatus(t, b.post("/admin/settings", change), http.StatusForbidden, "a wrong CSRF token")
		other := f.signIn(t, shop) // another person's session has another token
		change.Set("csrf_token", other.get("/admin/settings").csrf(t))
		wantStatus(t, b.post("/admin/settings", change), http.StatusForbidden, "another session's CSRF token")
		if after := settingsOf(t, db, shop); after != before {
			t.Fatalf("a refused post changed the settings: %+v → %+v", before, after)
		}
		change.Set("csrf_token", b.get("/admin/settings").csrf(t))
		wantStatus(t, b.post("/admin/settings", change), http.StatusSeeOther, "the session's own token")
		if after := settingsOf(t, db, shop); after.MinInventory != 9 {
			t.Fatalf("the accepted post stored %+v", after)
		}
		// The header works for in-page requests too.
		change.Del("csrf_token")
		change.Set("min_inventory", "8")
		wantStatus(t, b.post("/admin/settings", change, "X-CSRF-Token", b.get("/admin/settings").csrf(t)), http.StatusSeeOther, "the header")
	})
}

// TestSessionSeesOnlyItsShop: a session of shop A that names shop B gets
// 404 and changes nothing of either shop.
func TestSessionSeesOnlyItsShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shopA, shopB := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		b := f.signIn(t, shopA)
		beforeA, beforeB := settingsOf(t, db, shopA), settingsOf(t, db, shopB)
		for _, key := range []string{shopB.Domain, shopB.PublicKey, "https://B.example/"} {
			wantStatus(t, b.get("/admin/settings?shop="+url.QueryEscape(key)), http.StatusNotFound, "shop B's settings page by "+key)
		}
		token := b.get("/admin/settings").csrf(t)
		change := url.Values{"csrf_token": {token}, "min_inventory": {"7"}, "per_unit": {"7"}, "wait": {"7h"}}
		wantStatus(t, b.post("/admin/settings?shop="+shopB.Domain, change), http.StatusNotFound, "posting shop B's settings (query)")
		change.Set("shop", shopB.Domain)
		wantStatus(t, b.post("/admin/settings", change), http.StatusNotFound, "posting shop B's settings (form)")
		if settingsOf(t, db, shopA) != beforeA || settingsOf(t, db, shopB) != beforeB {
			t.Fatal("a refused request changed settings")
		}
		wantStatus(t, b.get("/admin/settings?shop="+shopA.Domain), http.StatusOK, "its own shop named")
		_ = web.AdminCookieName
	})
}

// The Reports page sends merchants to Settings to change the time zone its
// days are counted in: the page has the field, validated as the CLI's
// --time-zone, and a post without it leaves the zone alone.
func TestSettingsFormChangesTheReportTimeZone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		form := b.get("/admin/settings")
		if !strings.Contains(form.Body, `name="time_zone" value="UTC"`) {
			t.Fatalf("the settings page has no time zone field showing UTC:\n%.4000s", form.Body)
		}
		if !strings.Contains(visibleText(form.Body), "--time-zone ZONE") {
			t.Errorf("the command the page offers for a terminal does not set the time zone:\n%.4000s", form.Body)
		}
		values := url.Values{"csrf_token": {form.csrf(t)}, "min_inventory": {"1"}, "per_unit": {"0"}, "wait": {"1h"}}
		values.Set("time_zone", "Mars/Olympus")
		p := b.post("/admin/settings", values)
		wantStatus(t, p, http.StatusUnprocessableEntity, "an unknown time zone")
		if !strings.Contains(p.Body, `time_zone must be an IANA time zone such as Europe/Paris, got &#34;Mars/Olympus&#34;`) ||
			!strings.Contains(p.Body, `id="time_zone-error"`) || !strings.Contains(p.Body, `value="Mars/Olympus"`) {
			t.Errorf("want the message beside the field and the typed value:\n%.4000s", p.Body)
		}
		if got := settingsOf(t, db, shop).TimeZone; got != "UTC" {
			t.Fatalf("a refused post stored the time zone %q", got)
		}
		values.Set("time_zone", " Europe/Paris ")
		wantStatus(t, b.post("/admin/settings", values), http.StatusSeeOther, "saving a time zone")
		if got := settingsOf(t, db, shop).TimeZone; got != "Europe/Paris" {
			t.Fatalf("stored time zone %q", got)
		}
		values.Del("time_zone")
		wantStatus(t, b.post("/admin/settings", values), http.StatusSeeOther, "saving without the field")
		if got := settingsOf(t, db, shop).TimeZone; got != "Europe/Paris" {
			t.Fatalf("a post without the field changed the time zone to %q", got)
		}
	})
}

// TestSettingsFormRefusesSettingsChangedElsewhere: a merchant edits the
// settings page while the settings are changed elsewhere (the API, or
// another tab). Their save is refused 409, saying so, with what they typed
// still in the form and the other change still stored; saving again from
// that page then stores theirs, knowingly. A refused value keeps the
// version the page was opened at, so its corrected save is refused too.
func TestSettingsFormRefusesSettingsChangedElsewhere(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		typed := formValues(t, b.get("/admin/settings").Body, "settings-form")
		typed.Set("min_inventory", "4")
		typed.Set("wait", "45m")
		f.clock.Add(time.Minute)
		if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(9)}); err != nil {
			t.Fatal(err)
		}
		refused := b.post("/admin/settings", typed)
		wantStatus(t, refused, http.StatusConflict, "saving over settings changed elsewhere")
		shown := formValues(t, refused.Body, "settings-form")
		if !strings.Contains(refused.Body, "changed elsewhere") || shown.Get("min_inventory") != "4" || shown.Get("wait") != "45m" ||
			shown.Get("per_unit") != typed.Get("per_unit") {
			t.Errorf("the refusal shows %v, want the typed values and why:\n%.3000s", shown, refused.Body)
		}
		if after := settingsOf(t, db, shop); after.PerUnit != 9 || after.MinInventory != 1 {
			t.Fatalf("the refused save stored %+v", after)
		}
		wantStatus(t, b.post("/admin/settings", shown), http.StatusSeeOther, "saving again, knowingly")
		if after := settingsOf(t, db, shop); after.PerUnit != 0 || after.MinInventory != 4 || after.Wait != 45*time.Minute {
			t.Fatalf("saving again stored %+v", after)
		}

		// Two tabs: the first's save is refused after the second's, even
		// once a refused value is corrected.
		first := formValues(t, b.get("/admin/settings").Body, "settings-form")
		second := formValues(t, b.get("/admin/settings").Body, "settings-form")
		second.Set("per_unit", "2")
		wantStatus(t, b.post("/admin/settings", second), http.StatusSeeOther, "the second tab's save")
		first.Set("min_inventory", "none")
		wrong := b.post("/admin/settings", first)
		wantStatus(t, wrong, http.StatusUnprocessableEntity, "the first tab's save of a wrong value")
		corrected := formValues(t, wrong.Body, "settings-form")
		corrected.Set("min_inventory", "6")
		wantStatus(t, b.post("/admin/settings", corrected), http.StatusConflict, "the first tab's corrected save")
		if after := settingsOf(t, db, shop); after.PerUnit != 2 || after.MinInventory != 4 {
			t.Fatalf("the first tab's refused saves stored %+v", after)
		}
	})
}

// TestDevelopmentPagesNameTheCommandsAsRunFromSource: in development,
// where the server runs with `go run ./server` and no binary is built, the
// Settings and API keys pages name their terminal commands as they run
// there.
func TestDevelopmentPagesNameTheCommandsAsRunFromSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIAdminFixture(t, db, true)
		b := f.signIn(t, mustShop(t, db, "a.example"))
		for page, command := range map[string]string{"/admin/settings": "go run ./server settings set --shop a.example ",
			"/admin/api-keys": "go run ./server apikey create --shop a.example "} {
			p := b.get(page)
			wantStatus(t, p, http.StatusOK, page)
			body := strings.NewReplacer(`<span class="word">`, "", "</span>", "").Replace(p.Body) // a command's words, kept whole
			if !strings.Contains(body, "<code>"+command) || strings.Contains(body, "<code>stockbell ") {
				t.Errorf("%s does not name %q:\n%s", page, command, visibleText(p.Body))
			}
		}
	})
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestSettingsFormQuietHours: the settings page shows quiet hours on,
// 21:00–09:00, for a new shop; a post changes them; a bad time is refused
// beside its field, stores nothing, and changes no other shop.
func TestSettingsFormQuietHours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		other := mustShop(t, db, "other.example")
		b := f.signIn(t, shop)
		form := b.get("/admin/settings")
		for _, want := range []string{`id="quiet_hours" name="quiet_hours" checked`, `name="quiet_hours_start" value="21:00"`, `name="quiet_hours_end" value="09:00"`} {
			if !strings.Contains(form.Body, want) {
				t.Fatalf("the settings page lacks %s:\n%.4000s", want, form.Body)
			}
		}
		values := url.Values{"csrf_token": {form.csrf(t)}, "min_inventory": {"1"}, "per_unit": {"0"}, "wait": {"1h"},
			"quiet_hours": {"on"}, "quiet_hours_start": {"22:30"}, "quiet_hours_end": {"08:00"}}
		wantStatus(t, b.post("/admin/settings", values), http.StatusSeeOther, "saving quiet hours")
		if got := settingsOf(t, db, shop); !got.QuietHours || got.QuietHoursStart != "22:30" || got.QuietHoursEnd != "08:00" {
			t.Fatalf("stored quiet hours %v %s–%s, want on 22:30–08:00", got.QuietHours, got.QuietHoursStart, got.QuietHoursEnd)
		}

		before := settingsOf(t, db, shop)
		for field, bad := range map[string]string{"quiet_hours_start": "9pm", "quiet_hours_end": "24:00"} {
			values := url.Values{"csrf_token": {b.get("/admin/settings").csrf(t)}, "min_inventory": {"1"}, "per_unit": {"0"},
				"wait": {"1h"}, "quiet_hours_start": {"21:00"}, "quiet_hours_end": {"09:00"}}
			values.Set(field, bad)
			p := b.post("/admin/settings", values)
			wantStatus(t, p, http.StatusUnprocessableEntity, field)
			if !strings.Contains(p.Body, `id="`+field+`-error"`) || !strings.Contains(p.Body, field+" must be a 24-hour time") {
				t.Errorf("%s %q: no message beside the field:\n%.4000s", field, bad, p.Body)
			}
		}
		if after := settingsOf(t, db, shop); after != before {
			t.Fatalf("refused posts changed the settings: %+v → %+v", before, after)
		}
		values.Del("quiet_hours") // the box unticked
		values.Set("csrf_token", b.get("/admin/settings").csrf(t))
		wantStatus(t, b.post("/admin/settings", values), http.StatusSeeOther, "turning quiet hours off")
		if settingsOf(t, db, shop).QuietHours {
			t.Fatalf("quiet hours still on after unticking them")
		}
		if got := settingsOf(t, db, other); got != stockbell.DefaultRestockSettings(other.ID) {
			t.Fatalf("the other shop's settings changed: %+v", got)
		}
	})
}

// TestAPISettingsQuietHours: the settings API reads and changes quiet
// hours, and refuses a bad value naming its field, storing nothing.
func TestAPISettingsQuietHours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		read := apiDo(t, f, key, "GET", "/api/v1/settings", "")
		wantAPI(t, read, 200, "the settings")
		if read.Body["quiet_hours"] != true || read.Body["quiet_hours_start"] != "21:00" || read.Body["quiet_hours_end"] != "09:00" {
			t.Fatalf("settings read %s, want quiet hours on 21:00–09:00", read.Raw)
		}
		before := settingsOf(t, db, w.shop)
		cases := []struct{ body, field, message string }{
			{`{"quiet_hours":"yes"}`, "quiet_hours", `quiet_hours must be true or false (a JSON boolean), got string "yes".`},
			{`{"quiet_hours":null}`, "quiet_hours", "quiet_hours must be true or false (a JSON boolean), got null."},
			{`{"quiet_hours_end":null}`, "quiet_hours_end", `quiet_hours_end must be a JSON string, a 24-hour time such as "21:00", got null.`},
			{`{"quiet_hours_start":2100}`, "quiet_hours_start", `quiet_hours_start must be a JSON string, a 24-hour time such as "21:00", got number 2100.`},
			{`{"quiet_hours":false,"quiet_hours_end":"9:00"}`, "quiet_hours_end", `quiet_hours_end must be a 24-hour time such as 09:00, got "9:00"`},
			{`{"quiet_hours_start":"09:00"}`, "quiet_hours_end", "quiet_hours_end must differ from quiet_hours_start"},
		}
		for _, c := range cases {
			a := apiDo(t, f, key, "PUT", "/api/v1/settings", c.body)
			if a.Status != 422 || a.errorField() != c.field || !strings.Contains(a.errorMessage(), c.message) {
				t.Errorf("PUT %s: %d %s, want 422 field %q message %q", c.body, a.Status, a.Raw, c.field, c.message)
			}
		}
		if after := settingsOf(t, db, w.shop); after != before {
			t.Fatalf("refused changes stored settings: %+v → %+v", before, after)
		}
		changed := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"quiet_hours":false,"quiet_hours_start":"20:00","quiet_hours_end":"08:00"}`)
		wantAPI(t, changed, 200, "quiet hours changed")
		if got := settingsOf(t, db, w.shop); got.QuietHours || got.QuietHoursStart != "20:00" || got.QuietHoursEnd != "08:00" {
			t.Fatalf("stored %+v, want quiet hours off 20:00–08:00", got)
		}
	})
}

// TestQuietHoursFieldsShowTheSavedTime: a time field shows its time as
// the browser's locale writes it (09:00 PM in en-US), so the hint each
// field is described by gives the saved time as the server keeps it,
// 24-hour, which no locale changes; the other shop's times are not shown.
func TestQuietHoursFieldsShowTheSavedTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		other := mustShop(t, db, "other.example")
		setQuietHours(t, db, shop, "22:30", "07:15")
		setQuietHours(t, db, other, "20:45", "06:10")
		page := f.signIn(t, shop).get("/admin/settings")
		for field, saved := range map[string]string{"quiet_hours_start": "22:30", "quiet_hours_end": "07:15"} {
			hint := regexp.MustCompile(`<span class="hint" id="` + field + `-hint">([^<]*)</span>`).FindStringSubmatch(page.Body)
			described := regexp.MustCompile(`name="` + field + `"[^>]*aria-describedby="[^"]*\b` + field + `-hint\b`).MatchString(page.Body)
			if hint == nil || !strings.Contains(hint[1], "Saved: "+saved+" (24-hour clock)") || !described {
				t.Errorf("%s: no hint with the saved time %s describing the field:\n%.5000s", field, saved, page.Body)
			}
		}
		if strings.Contains(page.Body, "20:45") || strings.Contains(page.Body, "06:10") {
			t.Errorf("the other shop's quiet hours are shown")
		}
	})
}

func setQuietHours(t *testing.T, db *store.DB, shop *stockbell.Shop, start, end string) {
	t.Helper()
	if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{QuietHoursStart: &start, QuietHoursEnd: &end}); err != nil {
		t.Fatal(err)
	}
}

package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// newSettingsAPI is an API fixture with a shop and an API key of that
// shop, at a clock finer than PostgreSQL's microseconds: an ETag is the
// stored change time's, so it still matches.
func newSettingsAPI(t *testing.T, db *store.DB) (*adminFixture, *stockbell.Shop, string) {
	t.Helper()
	f := newAPIFixture(t, db)
	f.clock.Add(1500 * time.Nanosecond)
	shop := mustShop(t, db, "bells.example")
	return f, shop, mustAPIKey(t, db, shop)
}

// settingsETagOf is the ETag GET /api/v1/settings answers.
func settingsETagOf(t *testing.T, f *adminFixture, key string) string {
	t.Helper()
	got := apiDo(t, f, key, "GET", "/api/v1/settings", "")
	wantAPI(t, got, 200, "GET settings")
	return strongETag(t, got, "GET settings")
}

// TestAPISettingsIfMatchRefusesChangedSettings: a PUT whose If-Match names
// the settings' ETag saves; once they are changed elsewhere (the admin's
// settings page), the same ETag is refused 412 with the JSON error,
// storing nothing; a weak tag never matches.
func TestAPISettingsIfMatchRefusesChangedSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, shop, key := newSettingsAPI(t, db)
		never := settingsETagOf(t, f, key)
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":3}`, "If-Match", never), 200, "PUT with the never-changed settings' ETag")
		seen := settingsETagOf(t, f, key)
		if seen == never {
			t.Fatalf("ETag %s did not change when the settings were changed", seen)
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":4}`, "If-Match", seen), 200, "PUT with the changed settings' ETag")
		seen = settingsETagOf(t, f, key)

		f.clock.Add(time.Minute)
		if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(9)}); err != nil {
			t.Fatal(err)
		}
		before := settingsOf(t, db, shop)
		f.clock.Add(time.Minute)
		for _, tag := range []string{seen, "W/" + settingsETagOf(t, f, key), `"nonsense"`} {
			late := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":5}`, "If-Match", tag)
			wantAPI(t, late, 412, "PUT with If-Match "+tag)
			if code := late.Body["error"].(map[string]any)["code"]; code != stockbell.ECONFLICT || !strings.Contains(late.errorMessage(), "If-Match") ||
				!strings.Contains(late.errorMessage(), "settings") {
				t.Errorf("If-Match %s: error %s, want the conflict naming If-Match and the settings", tag, late.Raw)
			}
			if late.Header.Get("ETag") != "" {
				t.Errorf("a refused PUT answered ETag %s", late.Header.Get("ETag"))
			}
		}
		if after := settingsOf(t, db, shop); after.PerUnit != 9 || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("a refused PUT stored the settings: %+v", after)
		}
		current := settingsETagOf(t, f, key)
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":5}`, "If-Match", `"other", `+current), 200, "PUT with the current ETag in a list")
		if after := settingsOf(t, db, shop); after.PerUnit != 5 {
			t.Fatalf("a PUT with the current ETag stored %+v", after)
		}
	})
}

// TestAPISettingsWithoutConditionSavesAsBefore: with If-Match: * or none, a
// PUT merges its fields into whatever changed since, as it always has.
func TestAPISettingsWithoutConditionSavesAsBefore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, shop, key := newSettingsAPI(t, db)
		for i, headers := range [][]string{{"If-Match", "*"}, nil} {
			f.clock.Add(time.Minute)
			if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(2 + i)}); err != nil {
				t.Fatal(err)
			}
			wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":`+strconv.Itoa(3+i)+`}`, headers...), 200, "PUT "+strings.Join(headers, ": "))
			if after := settingsOf(t, db, shop); after.MinInventory != 2+i || after.PerUnit != 3+i {
				t.Fatalf("PUT %v stored %+v, want its change merged into the other", headers, after)
			}
		}
	})
}

// TestAPISettingsPutAnswersTheNextETag: the PUT answer carries the ETag
// that a GET answers next (its updated_at too), so a client chains PUT
// after PUT with If-Match and no GET between; the first PUT's ETag is
// stale after the second, even at the same clock time. A PUT that changes
// nothing keeps the ETag.
func TestAPISettingsPutAnswersTheNextETag(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, key := newSettingsAPI(t, db)
		put := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":3}`)
		wantAPI(t, put, 200, "PUT settings")
		first := strongETag(t, put, "PUT settings")
		get := apiDo(t, f, key, "GET", "/api/v1/settings", "")
		if etag := strongETag(t, get, "GET settings"); etag != first {
			t.Fatalf("PUT answered ETag %s, the next GET %s", first, etag)
		}
		if put.Body["updated_at"] != get.Body["updated_at"] {
			t.Fatalf("PUT answered updated_at %v, the next GET %v", put.Body["updated_at"], get.Body["updated_at"])
		}

		next := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":4}`, "If-Match", first)
		wantAPI(t, next, 200, "PUT with the first PUT's ETag")
		second := strongETag(t, next, "PUT with If-Match")
		if second == first || second != settingsETagOf(t, f, key) {
			t.Fatalf("the second PUT answered ETag %s (the first %s), the next GET %s", second, first, settingsETagOf(t, f, key))
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":5}`, "If-Match", first), 412, "PUT with the first PUT's ETag after the second")
		same := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":4}`, "If-Match", second)
		wantAPI(t, same, 200, "PUT that changes nothing")
		if etag := strongETag(t, same, "PUT that changes nothing"); etag != second {
			t.Fatalf("a PUT that changed nothing answered ETag %s, want %s still", etag, second)
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":5}`, "If-Match", second), 200, "PUT with the second PUT's ETag")
	})
}

// TestAPISettingsGetIfNoneMatch: GET /api/v1/settings with If-None-Match
// naming the current ETag (compared weakly, in a list, or *) answers 304
// with the ETag and no body; a tag of settings changed since, or none, the
// settings.
func TestAPISettingsGetIfNoneMatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, key := newSettingsAPI(t, db)
		old := settingsETagOf(t, f, key)
		f.clock.Add(time.Minute)
		current := strongETag(t, apiDo(t, f, key, "PUT", "/api/v1/settings", `{"per_unit":3}`), "PUT settings")
		for _, match := range []string{current, "W/" + current, `"other", ` + current, `"other",W/` + current, "*"} {
			got := apiDo(t, f, key, "GET", "/api/v1/settings", "", "If-None-Match", match)
			wantAPI(t, got, 304, "GET with If-None-Match "+match)
			if got.Header.Get("ETag") != current || got.Raw != "" {
				t.Errorf("If-None-Match %s: ETag %q, body %q; want %s and no body", match, got.Header.Get("ETag"), got.Raw, current)
			}
		}
		for _, headers := range [][]string{{"If-None-Match", old}, {"If-None-Match", `"other", W/` + old}, nil} {
			got := apiDo(t, f, key, "GET", "/api/v1/settings", "", headers...)
			wantAPI(t, got, 200, "GET with "+strings.Join(headers, ": "))
			if got.Header.Get("ETag") != current || got.Body["per_unit"] != 3.0 {
				t.Errorf("GET with %v: ETag %q, body %s; want %s and the settings", headers, got.Header.Get("ETag"), got.Raw, current)
			}
		}
	})
}

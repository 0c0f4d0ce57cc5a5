package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

const apiFlowBody = `{"status":"manual","steps":[{"channel":"email","delay":"0s","subject":"Back!"}]}`

// flowETagOf is the ETag GET /api/v1/flow answers.
func flowETagOf(t *testing.T, f *adminFixture, key string) string {
	t.Helper()
	got := apiDo(t, f, key, "GET", "/api/v1/flow", "")
	wantAPI(t, got, 200, "GET flow")
	return strongETag(t, got, "GET flow")
}

// newFlowAPI is an API fixture with a shop with a subscriber waiting and
// an API key of that shop.
func newFlowAPI(t *testing.T, db *store.DB) (*adminFixture, *waitingShop, string) {
	t.Helper()
	f := newAPIFixture(t, db)
	w := newWaitingShop(t, f)
	return f, w, mustAPIKey(t, db, w.shop)
}

// TestAPIFlowIfMatchRefusesAChangedFlow: a PUT whose If-Match names the
// flow's ETag saves; once the flow is changed elsewhere (the admin's flow
// page), the same ETag is refused 412 with the JSON error, storing
// nothing; a weak tag never matches.
func TestAPIFlowIfMatchRefusesAChangedFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, w, key := newFlowAPI(t, db)
		// A change time finer than PostgreSQL's microseconds: the ETag is
		// the stored time's, so it still matches.
		f.clock.Add(1500 * time.Nanosecond)
		never := flowETagOf(t, f, key)
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", never), 200, "PUT with the never-saved flow's ETag")

		seen := flowETagOf(t, f, key)
		if seen == never {
			t.Fatalf("ETag %s did not change when the flow was saved", seen)
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", seen), 200, "PUT with the saved flow's ETag")
		seen = flowETagOf(t, f, key)
		f.clock.Add(time.Minute)
		elsewhere := flowOf(t, db, w.shop)
		elsewhere.Status = stockbell.FlowDraft
		if err := db.UpdateFlow(context.Background(), elsewhere); err != nil {
			t.Fatal(err)
		}
		before := flowOf(t, db, w.shop)
		f.clock.Add(time.Minute)
		for _, tag := range []string{seen, "W/" + flowETagOf(t, f, key), `"nonsense"`} {
			late := apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", tag)
			wantAPI(t, late, 412, "PUT with If-Match "+tag)
			if code := late.Body["error"].(map[string]any)["code"]; code != stockbell.ECONFLICT || !strings.Contains(late.errorMessage(), "If-Match") {
				t.Errorf("If-Match %s: error %s, want the conflict naming If-Match", tag, late.Raw)
			}
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != stockbell.FlowDraft {
			t.Fatalf("a refused PUT stored the flow: %+v", after)
		}
		current := flowETagOf(t, f, key)
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", `"other", `+current), 200, "PUT with the current ETag in a list")
	})
}

// TestAPIFlowWithoutConditionSavesAsBefore: with If-Match: * or none, a
// PUT saves whatever changed since, as it always has.
func TestAPIFlowWithoutConditionSavesAsBefore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, w, key := newFlowAPI(t, db)
		for _, headers := range [][]string{{"If-Match", "*"}, nil} {
			f.clock.Add(time.Minute)
			before := flowOf(t, db, w.shop)
			wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, headers...), 200, "PUT "+strings.Join(headers, ": "))
			if after := flowOf(t, db, w.shop); after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatalf("PUT %v did not store the flow", headers)
			}
		}
	})
}

// strongETag is the answer's ETag, failing unless it is a strong one.
func strongETag(t *testing.T, a apiAnswer, what string) string {
	t.Helper()
	etag := a.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Fatalf("%s: ETag %q, want a strong entity tag", what, etag)
	}
	return etag
}

// TestAPIFlowPutAnswersTheNextETag: the PUT answer carries the ETag that a
// GET answers next (its updated_at too), at a change time finer than
// PostgreSQL's microseconds, so a client chains PUT after PUT with
// If-Match and no GET between; the first PUT's ETag is stale after the
// second, even at the same clock time.
func TestAPIFlowPutAnswersTheNextETag(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, key := newFlowAPI(t, db)
		f.clock.Add(1500 * time.Nanosecond)
		put := apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody)
		wantAPI(t, put, 200, "PUT flow")
		first := strongETag(t, put, "PUT flow")
		get := apiDo(t, f, key, "GET", "/api/v1/flow", "")
		if etag := strongETag(t, get, "GET flow"); etag != first {
			t.Fatalf("PUT answered ETag %s, the next GET %s", first, etag)
		}
		if put.Body["updated_at"] != get.Body["updated_at"] {
			t.Fatalf("PUT answered updated_at %v, the next GET %v", put.Body["updated_at"], get.Body["updated_at"])
		}

		next := apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", first)
		wantAPI(t, next, 200, "PUT with the first PUT's ETag")
		second := strongETag(t, next, "PUT with If-Match")
		if second == first || second != flowETagOf(t, f, key) {
			t.Fatalf("the second PUT answered ETag %s (the first %s), the next GET %s", second, first, flowETagOf(t, f, key))
		}
		stale := apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", first)
		wantAPI(t, stale, 412, "PUT with the first PUT's ETag after the second")
		if stale.Header.Get("ETag") != "" {
			t.Errorf("a refused PUT answered ETag %s", stale.Header.Get("ETag"))
		}
		wantAPI(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody, "If-Match", second), 200, "PUT with the second PUT's ETag")
	})
}

// TestAPIFlowGetIfNoneMatch: GET /api/v1/flow with If-None-Match naming
// the current ETag (compared weakly, in a list, or *) answers 304 with the
// ETag and no body; a tag of a version saved over, or none, the flow.
func TestAPIFlowGetIfNoneMatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, _, key := newFlowAPI(t, db)
		old := flowETagOf(t, f, key)
		f.clock.Add(time.Minute)
		current := strongETag(t, apiDo(t, f, key, "PUT", "/api/v1/flow", apiFlowBody), "PUT flow")
		for _, match := range []string{current, "W/" + current, `"other", ` + current, `"other",W/` + current, "*"} {
			got := apiDo(t, f, key, "GET", "/api/v1/flow", "", "If-None-Match", match)
			wantAPI(t, got, 304, "GET with If-None-Match "+match)
			if got.Header.Get("ETag") != current || got.Raw != "" {
				t.Errorf("If-None-Match %s: ETag %q, body %q; want %s and no body", match, got.Header.Get("ETag"), got.Raw, current)
			}
		}
		for _, headers := range [][]string{{"If-None-Match", old}, {"If-None-Match", `"other", W/` + old}, nil} {
			got := apiDo(t, f, key, "GET", "/api/v1/flow", "", headers...)
			wantAPI(t, got, 200, "GET with "+strings.Join(headers, ": "))
			if got.Header.Get("ETag") != current || got.Body["status"] != "manual" {
				t.Errorf("GET with %v: ETag %q, body %s; want %s and the flow", headers, got.Header.Get("ETag"), got.Raw, current)
			}
		}
	})
}

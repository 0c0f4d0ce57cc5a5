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
	etag := got.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Fatalf("GET flow: ETag %q, want a strong entity tag", etag)
	}
	return etag
}

// TestAPIFlowIfMatchRefusesAChangedFlow: a PUT whose If-Match names the
// flow's ETag saves; once the flow is changed elsewhere (the admin's flow
// page), the same ETag is refused 412 with the JSON error, storing
// nothing; a weak tag never matches.
func TestAPIFlowIfMatchRefusesAChangedFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
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
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
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

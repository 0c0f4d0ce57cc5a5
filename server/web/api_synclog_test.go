package web_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPISyncLog: GET /api/v1/sync-log lists the key's shop's sync log
// newest first with each entry's detail, filtered by kind and paged by
// offset and limit with the total; a bad kind or limit is 422 naming it;
// another shop's entries never show.
func TestAPISyncLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		key := mustAPIKey(t, db, shop)
		const refused = "BigCommerce refused GET /v3/catalog/products (403): grant Products read-only"
		recordSyncs(t, f, other.ID, stockbell.SyncReport{Source: "feed", Failure: "other shop's secret"})
		recordSyncs(t, f, shop.ID,
			stockbell.SyncReport{Source: "bigcommerce:catalog", Items: 5, Changed: 2,
				Rejections: []stockbell.SyncRejection{{Position: 3, ID: "77", Reason: "no variants"}}},
			stockbell.SyncReport{Source: "bigcommerce:reconcile", Failure: refused},
			stockbell.SyncReport{Source: "bigcommerce:reconcile", Failure: refused})

		all := apiDo(t, f, key, "GET", "/api/v1/sync-log", "")
		wantAPI(t, all, 200, "the sync log")
		entries := all.Body["entries"].([]any)
		if all.Body["total"] != 3.0 || len(entries) != 3 {
			t.Fatalf("sync log = %s, want the failure, the catalog sync and its rejection", all.Raw)
		}
		latest := entries[0].(map[string]any)
		detail := latest["detail"].(map[string]any)
		if latest["kind"] != "sync_failed" || latest["source"] != "bigcommerce:reconcile" || detail["reason"] != refused ||
			detail["failures"] != 2.0 || detail["first_failed_at"] == nil || latest["created_at"] == nil {
			t.Errorf("latest entry = %v, want the refusal counted twice", latest)
		}
		if e := entries[2].(map[string]any); e["kind"] != "sync_item_rejected" || e["detail"].(map[string]any)["id"] != "77" {
			t.Errorf("last entry = %v, want the catalog sync's rejection under it", e)
		}

		page := apiDo(t, f, key, "GET", "/api/v1/sync-log?kind=sync_finished&offset=0&limit=1", "")
		wantAPI(t, page, 200, "finished syncs")
		if got := page.Body["entries"].([]any); page.Body["total"] != 1.0 || len(got) != 1 ||
			got[0].(map[string]any)["detail"].(map[string]any)["items"] != 5.0 {
			t.Errorf("finished syncs = %s", page.Raw)
		}
		second := apiDo(t, f, key, "GET", "/api/v1/sync-log?offset=1&limit=1", "")
		if got := second.Body["entries"].([]any); len(got) != 1 || got[0].(map[string]any)["kind"] != "sync_finished" {
			t.Errorf("second page = %s, want the catalog sync", second.Raw)
		}

		for query, field := range map[string]string{"kind=failed": "kind", "limit=0": "limit", "offset=-1": "offset"} {
			bad := apiDo(t, f, key, "GET", "/api/v1/sync-log?"+query, "")
			wantAPI(t, bad, 422, query)
			if bad.errorField() != field {
				t.Errorf("%s: error names %q, want %q: %s", query, bad.errorField(), field, bad.Raw)
			}
		}
		const kinds = `kind must be sync_finished, sync_failed or sync_item_rejected, got "failed".`
		if bad := apiDo(t, f, key, "GET", "/api/v1/sync-log?kind=failed", ""); bad.errorMessage() != kinds {
			t.Errorf("a bad kind's error = %q, want %q", bad.errorMessage(), kinds)
		}
		otherKey := mustAPIKey(t, db, other)
		theirs := apiDo(t, f, otherKey, "GET", "/api/v1/sync-log", "")
		if theirs.Body["total"] != 1.0 || len(theirs.Body["entries"].([]any)) != 1 {
			t.Errorf("the other shop's log = %s, want its own entry only", theirs.Raw)
		}
		wantAPI(t, apiDo(t, f, "", "GET", "/api/v1/sync-log", ""), 401, "without a key")
	})
}

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestAPIRefusesUnknownQueryParameters: a query parameter the route does
// not take is refused naming it and the ones the route takes, so that a
// script paging the cursor-paged list with offset (or the offset-paged sync
// log with after) is told so instead of reading its first page for ever.
func TestAPIRefusesUnknownQueryParameters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		key := mustAPIKey(t, db, w.shop)
		cases := []struct{ path, field, takes string }{
			{"/api/v1/subscriptions?limit=1&offset=1", "offset", "status, variant, contact, after and limit"},
			{"/api/v1/sync-log?after=3", "after", "kind, offset and limit"},
			{"/api/v1/reports/conversions?channel=sms", "channel", "from and to"},
			{"/api/v1/settings?shop=b.example", "shop", "no query parameters"},
		}
		for _, c := range cases {
			a := apiDo(t, f, key, "GET", c.path, "")
			if a.Status != 422 || a.errorField() != c.field || !strings.Contains(a.errorMessage(), c.takes) {
				t.Errorf("GET %s: %d %s, want 422 on %q naming %q", c.path, a.Status, a.Raw, c.field, c.takes)
			}
		}
		page := apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=queued&limit=1&after=0", "")
		if page.Status != 200 || len(page.Body["subscriptions"].([]any)) != 1 {
			t.Fatalf("the parameters the list takes: %d %s", page.Status, page.Raw)
		}
		// A refused DELETE changes nothing.
		del := apiDo(t, f, key, "DELETE", "/api/v1/subscriptions/"+fmt.Sprint(w.subs[0].ID)+"?force=true", "")
		if del.Status != 422 || del.errorField() != "force" || subscriptionStatus(t, db, w.subs[0]) != stockbell.SubscriptionQueued {
			t.Fatalf("DELETE with an unknown parameter: %d %s, subscription %s", del.Status, del.Raw, subscriptionStatus(t, db, w.subs[0]))
		}
	})
}

// TestAPIWrongMethodIsAJSONError: a method a route does not serve is
// answered 405 in the API's error shape, with Allow naming the methods
// it does serve.
func TestAPIWrongMethodIsAJSONError(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		a := apiDo(t, f, key, "GET", "/api/v1/subscriptions/"+fmt.Sprint(w.subs[0].ID), "")
		if a.Status != 405 || a.Header.Get("Allow") != "DELETE" || a.Body["error"] == nil ||
			!strings.Contains(a.errorMessage(), "GET") || !strings.Contains(a.errorMessage(), "DELETE") {
			t.Fatalf("GET on a subscription: %d Allow %q %s", a.Status, a.Header.Get("Allow"), a.Raw)
		}
		a = apiDo(t, f, key, "POST", "/api/v1/settings", `{"wait":"2h"}`)
		if a.Status != 405 || a.Header.Get("Allow") != "GET, HEAD, PUT" || a.Body["error"] == nil {
			t.Fatalf("POST on the settings: %d Allow %q %s", a.Status, a.Header.Get("Allow"), a.Raw)
		}
	})
}

// TestAPIFeedSyncWaitIsTrueOrFalse: ?wait takes true or false (1 or 0, in
// any case); anything else is refused rather than read as "wait".
func TestAPIFeedSyncWaitIsTrueOrFalse(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		syncer := &feedSyncerStub{report: &stockbell.SyncReport{Source: stockbell.FeedSource, Items: 2}}
		f := newAPIFixtureOf(t, db, func(deps *web.APIDeps) { deps.Feeds = syncer })
		key := mustAPIKey(t, db, mustShop(t, db, "a.example"))
		for _, wait := range []string{"no", "yes", "later"} {
			a := apiDo(t, f, key, "POST", "/api/v1/feed/sync?wait="+wait, "")
			if a.Status != 422 || a.errorField() != "wait" || syncer.synced+syncer.queued != 0 {
				t.Fatalf("?wait=%s: %d %s (synced %d, queued %d)", wait, a.Status, a.Raw, syncer.synced, syncer.queued)
			}
		}
		for _, wait := range []string{"false", "FALSE", "0"} {
			wantAPI(t, apiDo(t, f, key, "POST", "/api/v1/feed/sync?wait="+wait, ""), 202, "?wait="+wait)
		}
		for _, wait := range []string{"", "?wait=true", "?wait=1"} {
			a := apiDo(t, f, key, "POST", "/api/v1/feed/sync"+wait, "")
			wantAPI(t, a, 200, "sync"+wait)
			if !strings.Contains(a.Raw, `"rejections":[]`) {
				t.Fatalf("a sync without rejections lists none as an empty array: %s", a.Raw)
			}
		}
		if syncer.queued != 3 || syncer.synced != 3 {
			t.Fatalf("queued %d, synced %d; want 3 and 3", syncer.queued, syncer.synced)
		}
	})
}

// feedSyncerStub plays the feed integration: it counts the syncs asked for.
type feedSyncerStub struct {
	report         *stockbell.SyncReport
	synced, queued int
}

func (s *feedSyncerStub) SyncFeed(context.Context, int64) (*stockbell.SyncReport, error) {
	s.synced++
	report := *s.report
	return &report, nil
}

func (s *feedSyncerStub) QueueSync(context.Context, int64) error {
	s.queued++
	return nil
}

// TestAPIEndpointDisabledByTheMerchant: an endpoint disabled through the
// API says it was disabled by the merchant, not "in the admin", and
// PATCH takes enabled alone.
func TestAPIEndpointDisabledByTheMerchant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureOf(t, db, func(deps *web.APIDeps) { deps.Endpoints = db })
		shop := mustShop(t, db, "a.example")
		key := mustAPIKey(t, db, shop)
		endpoint, err := db.CreateWebhookEndpoint(context.Background(), stockbell.WebhookEndpointCreate{ShopID: shop.ID,
			URL: "https://hooks.example.com/in", EventTypes: []string{string(stockbell.WebhookSubscriptionCreated)}}, []byte("sealed"))
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/webhooks/endpoints/%d", endpoint.ID)
		if a := apiDo(t, f, key, "PATCH", path, `{"url":"https://elsewhere.example"}`); a.Status != 422 || a.errorField() != "url" {
			t.Fatalf("PATCH of the url: %d %s", a.Status, a.Raw)
		}
		off := apiDo(t, f, key, "PATCH", path, `{"enabled":false}`)
		wantAPI(t, off, 200, "disabling")
		if e := off.Body["endpoint"].(map[string]any); e["disabled_at"] == nil || e["disabled_reason"] != "Disabled by the merchant." {
			t.Fatalf("disabled endpoint: %s", off.Raw)
		}
	})
}

// TestAPIRefusesARepeatedQueryParameter: no parameter takes several
// values, so ?status=queued&status=held is refused naming status rather
// than answered for the first value only, as if the second were read.
func TestAPIRefusesARepeatedQueryParameter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		for _, path := range []string{"/api/v1/subscriptions?status=queued&status=held", "/api/v1/sync-log?limit=1&limit=2",
			"/api/v1/reports/activity?channel=email&channel=sms"} {
			a := apiDo(t, f, key, "GET", path, "")
			name := strings.SplitN(strings.SplitN(path, "?", 2)[1], "=", 2)[0]
			if a.Status != 422 || a.errorField() != name || !strings.Contains(a.errorMessage(), "once") {
				t.Errorf("%s: %d %s", path, a.Status, a.Raw)
			}
		}
		wantAPI(t, apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=queued&limit=5", ""), 200, "each parameter once")
	})
}

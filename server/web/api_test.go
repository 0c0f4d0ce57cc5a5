package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/metrics"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// newAPIFixture serves the JSON admin API on a real store behind a
// loopback server, with a clock the test moves.
func newAPIFixture(t *testing.T, db *store.DB) *adminFixture {
	t.Helper()
	return newAPIFixtureOf(t, db, nil)
}

// newAPIFixtureOf is newAPIFixture whose API's dependencies change first:
// a test puts a service of its own in front of the store.
func newAPIFixtureOf(t *testing.T, db *store.DB, change func(*web.APIDeps)) *adminFixture {
	t.Helper()
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Clock = clock
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
	meters := prometheus.NewRegistry()
	deps := web.APIDeps{Keys: db, Shops: db, Settings: db, Flows: db, Subscriptions: db, Subscribers: db,
		Catalog: db, Messages: db, SyncLog: db, Reports: reports, Metrics: metrics.New(meters), CheckFlow: delivery.ValidateFlow, Clock: clock, Logger: logger}
	if change != nil {
		change(&deps)
	}
	server.RegisterAPI(deps)
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	return &adminFixture{db: db, clock: clock, url: ts.URL, meters: meters}
}

// counted returns the value of a counter series of the fixture's
// operator metrics, by name and channel.
func counted(t *testing.T, f *adminFixture, name, channel string) float64 {
	t.Helper()
	families, err := f.meters.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, family := range families {
		for _, m := range family.GetMetric() {
			if family.GetName() == name && len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == channel {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no series %s{channel=%q}", name, channel)
	return 0
}

// apiAnswer is a decoded JSON answer.
type apiAnswer struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (a apiAnswer) errorField() string {
	e, _ := a.Body["error"].(map[string]any)
	field, _ := e["field"].(string)
	return field
}

func (a apiAnswer) errorMessage() string {
	e, _ := a.Body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// apiDo sends the request with the key, and headers given as name, value
// pairs.
func apiDo(t *testing.T, f *adminFixture, key, method, path, body string, headers ...string) apiAnswer {
	t.Helper()
	req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := apiAnswer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.Body); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return a
}

func mustAPIKey(t *testing.T, db *store.DB, shop *stockbell.Shop) string {
	t.Helper()
	key, _, err := db.CreateAPIKey(context.Background(), shop.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func wantAPI(t *testing.T, a apiAnswer, status int, what string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("%s: status %d, want %d: %.1500s", what, a.Status, status, a.Raw)
	}
}

func subscriptionStatus(t *testing.T, db *store.DB, s *stockbell.Subscription) stockbell.SubscriptionStatus {
	t.Helper()
	sub, err := db.FindSubscriptionByID(context.Background(), s.ShopID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Status
}

// TestAPIKeysScopeEveryRequest: a key reaches its own shop only: another
// shop's subscription is 404 and stays queued; a revoked, unknown or
// missing key is 401 with the JSON error shape.
func TestAPIKeysScopeEveryRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		key := mustAPIKey(t, db, w.shop)

		list := apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=queued", "")
		wantAPI(t, list, 200, "list")
		if subs := list.Body["subscriptions"].([]any); len(subs) != 2 || strings.Contains(list.Raw, "someone@other.example") {
			t.Fatalf("list shows other than this shop's two: %s", list.Raw)
		}
		other := apiDo(t, f, key, "DELETE", fmt.Sprintf("/api/v1/subscriptions/%d", w.otherSub.ID), "")
		wantAPI(t, other, 404, "deleting shop B's subscription")
		if other.Body["error"] == nil || subscriptionStatus(t, db, w.otherSub) != stockbell.SubscriptionQueued {
			t.Fatalf("shop B's subscription: %s, status %s", other.Raw, subscriptionStatus(t, db, w.otherSub))
		}
		wantAPI(t, apiDo(t, f, key, "DELETE", fmt.Sprintf("/api/v1/subscriptions/%d", w.subs[0].ID), ""), 204, "deleting its own")
		if got := subscriptionStatus(t, db, w.subs[0]); got != stockbell.SubscriptionCancelled {
			t.Fatalf("deleted subscription is %s, want cancelled", got)
		}

		records, _ := db.FindAPIKeys(context.Background(), w.shop.ID)
		if len(records) != 1 || records[0].LastUsedAt == nil {
			t.Fatalf("key's last use not recorded: %+v", records)
		}
		if _, err := db.RevokeAPIKey(context.Background(), w.other.ID, records[0].ID); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("shop B revoked shop A's key: %v", err)
		}
		if _, err := db.RevokeAPIKey(context.Background(), w.shop.ID, records[0].ID); err != nil {
			t.Fatal(err)
		}
		for name, k := range map[string]string{"revoked": key, "unknown": key[:len(key)-2] + "xx", "none": "", "not a key": "hello"} {
			a := apiDo(t, f, k, "GET", "/api/v1/settings", "")
			if a.Status != 401 || a.Body["error"].(map[string]any)["code"] != "unauthorized" || a.errorMessage() == "" {
				t.Errorf("%s key: %d %s", name, a.Status, a.Raw)
			}
		}
	})
}

// TestAPISubscriptionsCursorPaging walks every page of a long queue: each
// subscription exactly once, in order, while new ones arrive.
func TestAPISubscriptionsCursorPaging(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		var emails []string
		for i := range 230 {
			emails = append(emails, fmt.Sprintf("p%03d@example.com", i))
		}
		w := newWaitingShop(t, f, emails...)
		key := mustAPIKey(t, db, w.shop)
		seen := map[float64]bool{}
		var order []float64
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 40 {
				t.Fatal("paging does not end")
			}
			a := apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=queued&limit=17&variant=v-m&after="+cursor, "")
			wantAPI(t, a, 200, "a page")
			for _, s := range a.Body["subscriptions"].([]any) {
				id := s.(map[string]any)["id"].(float64)
				if seen[id] {
					t.Fatalf("subscription %v on two pages", id)
				}
				seen[id] = true
				order = append(order, id)
			}
			if pages == 2 { // a subscriber arriving meanwhile is on a later page
				_, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
					Email: "late@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
				if err != nil {
					t.Fatal(err)
				}
			}
			next, _ := a.Body["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(order) != 231 {
			t.Fatalf("paged through %d subscriptions, want 231", len(order))
		}
		for i := range order[1:] {
			if order[i+1] <= order[i] {
				t.Fatalf("out of order at %d: %v then %v", i, order[i], order[i+1])
			}
		}
		one := apiDo(t, f, key, "GET", "/api/v1/subscriptions?contact=P007@Example.com", "")
		if subs := one.Body["subscriptions"].([]any); len(subs) != 1 || subs[0].(map[string]any)["email"] != "p007@example.com" ||
			subs[0].(map[string]any)["variant_id"] != "v-m" {
			t.Fatalf("contact filter: %s", one.Raw)
		}
		none := apiDo(t, f, key, "GET", "/api/v1/subscriptions?variant=no-such", "")
		if subs := none.Body["subscriptions"].([]any); len(subs) != 0 || none.Body["next_cursor"] != nil {
			t.Fatalf("unknown variant: %s", none.Raw)
		}
		bad := apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=waiting", "")
		if bad.Status != 422 || bad.errorField() != "status" || !strings.Contains(bad.Raw, "held, notified, discarded") {
			t.Fatalf("bad status filter: %d %s", bad.Status, bad.Raw)
		}
		if held := apiDo(t, f, key, "GET", "/api/v1/subscriptions?status=held", ""); held.Status != 200 {
			t.Fatalf("status=held: %d %s", held.Status, held.Raw)
		}
	})
}

// TestAPIValidationErrorsNameTheField: a refused change answers 422 with
// the field and the admin's and CLI's message, and stores nothing.
func TestAPIValidationErrorsNameTheField(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		cases := []struct{ method, path, body, field, message string }{
			{"PUT", "/api/v1/settings", `{"min_inventory":0}`, "min_inventory", "min_inventory must be between 1 and 1000000, got 0"},
			{"PUT", "/api/v1/settings", `{"min_inventory":"5"}`, "min_inventory", `min_inventory must be a whole number (a JSON number), got string "5".`},
			{"PUT", "/api/v1/settings", `{"min_inventory":4,"wait":"soon"}`, "wait", `wait must be a duration such as 30m or 2h, got "soon"`},
			{"PUT", "/api/v1/settings", `{"per_unit":3,"wait":"10s"}`, "wait", "wait must be between 1m and 720h, got 10s"},
			{"PUT", "/api/v1/settings", `{"minimum":3}`, "minimum", `Unknown field "minimum"`},
			{"PUT", "/api/v1/settings", `{}`, "body", "Nothing to change"},
			{"PUT", "/api/v1/settings", `{"per_unit":`, "body", "not valid JSON"},
			{"PUT", "/api/v1/settings", `{"min_inventory":2,"email_double_opt_in":"yes"}`, "email_double_opt_in", `email_double_opt_in must be true or false (a JSON boolean), got string "yes".`},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","delay":"later"}]}`, "steps[0].delay", "duration"},
			// The flow's one trigger is the sign-up, with no flow filters: neither can be set.
			{"PUT", "/api/v1/flow", `{"status":"live","trigger":"Placed Order","steps":[{"channel":"email"}]}`, "trigger", `Unknown field "trigger"`},
			{"PUT", "/api/v1/flow", `{"status":"live","filters":[{"country":"FR"}],"steps":[{"channel":"email"}]}`, "filters", `Unknown field "filters"`},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"fax"}]}`, "steps[0].channel", "email or SMS"},
			{"PUT", "/api/v1/flow", `{"status":"paused","steps":[{"channel":"email"}]}`, "status", "live, manual or draft"},
			{"PUT", "/api/v1/flow", `{"status":"live","template":"my_flow","steps":[{"channel":"email"}]}`, "template", "email_only, email_then_sms or email_reminder"},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[]}`, "steps", "A flow has 1 to 3 messages, got 0."},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email"},{"channel":"sms"},{"channel":"email"},{"channel":"sms"}]}`,
				"steps", "A flow has 1 to 3 messages, got 4."},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["email"],"email":"not-an-address"}`, "email", ""},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"nope","channels":["email"],"email":"a@example.com"}`, "variant_id", "Unknown variant nope"},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["sms"],"phone":"+14155550100"}`, "sms_consent", ""},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["sms"],"phone":"06 12 34 56 78","phone_country":"XX","sms_consent":true}`,
				"phone_country", `"XX" is not a country`},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","delay":"1000h"}]}`, "steps[0].delay", "A delay is between 0 and 720h, got 1000h."},
			{"PUT", "/api/v1/settings", `{"attribution_window":"30m"}`, "attribution_window", "attribution_window must be between 1h and 2160h, got 30m"},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","subject":"` + strings.Repeat("x", 1001) + `"}]}`, "steps[0].subject", "1,000 characters"},
			{"PUT", "/api/v1/flow", `{"status":"live","steps":[{"channel":"email","translations":{"fr":{"html":"` + strings.Repeat("x", 100_001) + `"}}}]}`,
				"steps[0].translations.fr.html", "100,000 characters"},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["sms"],"phone":"+14155552671","sms_consent":true,"sms_consent_text":"` + strings.Repeat("x", 1001) + `"}`,
				"sms_consent_text", "1,000 characters"},
			{"POST", "/api/v1/subscriptions", `{"variant_id":"v-m","channels":["email"],"email":"a@example.com","locale":"` + strings.Repeat("x", 40) + `"}`,
				"locale", "is not a locale"},
		}
		before := settingsOf(t, db, w.shop)
		flowBefore := flowOf(t, db, w.shop)
		for _, c := range cases {
			a := apiDo(t, f, key, c.method, c.path, c.body)
			if a.Status != 422 || a.errorField() != c.field || !strings.Contains(a.errorMessage(), c.message) {
				t.Errorf("%s %s %s: %d %s, want 422 field %q message %q", c.method, c.path, c.body, a.Status, a.Raw, c.field, c.message)
			}
		}
		if after := settingsOf(t, db, w.shop); after != before {
			t.Errorf("refused changes stored settings: %+v → %+v", before, after)
		}
		if after := flowOf(t, db, w.shop); !after.UpdatedAt.Equal(flowBefore.UpdatedAt) {
			t.Errorf("refused flow stored")
		}
		if subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &w.shop.ID}); len(subs) != 0 {
			t.Errorf("refused subscriptions stored: %d", len(subs))
		}
	})
}

// TestAPIFlowAndSubscriptionsRoundTrip: the flow read is the flow written;
// a subscription made through the API is the storefront's, from "api".
func TestAPIFlowAndSubscriptionsRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f)
		key := mustAPIKey(t, db, w.shop)
		put := apiDo(t, f, key, "PUT", "/api/v1/flow", `{"status":"manual","steps":[{"channel":"email","delay":"0s","subject":"Back!"},
			{"channel":"sms","delay":"24h","skip_if_out_of_stock":true}]}`)
		wantAPI(t, put, 200, "PUT flow")
		flow := flowOf(t, db, w.shop)
		if flow.Status != stockbell.FlowManual || len(flow.Steps) != 2 || flow.Steps[1].Delay != 24*time.Hour || flow.Steps[0].Subject != "Back!" {
			t.Fatalf("stored flow: %+v", flow)
		}
		got := apiDo(t, f, key, "GET", "/api/v1/flow", "")
		steps := got.Body["steps"].([]any)
		if got.Body["status"] != "manual" || len(steps) != 2 || steps[1].(map[string]any)["delay"] != "24h" {
			t.Fatalf("GET flow: %s", got.Raw)
		}
		body := `{"variant_id":"v-m","channels":["email"],"email":" Zoe@Example.COM ","locale":"fr"}`
		created := apiDo(t, f, key, "POST", "/api/v1/subscriptions", body)
		wantAPI(t, created, 201, "POST subscription")
		sub := created.Body["subscription"].(map[string]any)
		if sub["email"] != "zoe@example.com" || sub["source"] != "api" || sub["status"] != "queued" || sub["product_title"] != "Wool Sweater" {
			t.Fatalf("created: %s", created.Raw)
		}
		again := apiDo(t, f, key, "POST", "/api/v1/subscriptions", body)
		wantAPI(t, again, 200, "the same contact again")
		if again.Body["subscription"].(map[string]any)["id"] != sub["id"] {
			t.Fatalf("second POST made another subscription: %s", again.Raw)
		}
		if n := counted(t, f, "stockbell_subscriptions_created_total", "email"); n != 1 {
			t.Fatalf("stockbell_subscriptions_created_total{channel=\"email\"} = %v after one subscription made through the API, want 1", n)
		}
	})
}

// TestAPISettingsReadAreSettingsToWrite: the settings GET answers can be
// changed and PUT back whole, updated_at included (read-only, ignored), as
// the flow's can.
func TestAPISettingsReadAreSettingsToWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		key := mustAPIKey(t, db, mustShop(t, db, "a.example"))
		read := apiDo(t, f, key, "GET", "/api/v1/settings", "")
		wantAPI(t, read, 200, "the settings")
		read.Body["wait"] = "2h"
		body, _ := json.Marshal(read.Body)
		written := apiDo(t, f, key, "PUT", "/api/v1/settings", string(body))
		wantAPI(t, written, 200, "the settings read, changed and written back")
		if written.Body["wait"] != "2h" || written.Body["updated_at"] == read.Body["updated_at"] {
			t.Fatalf("settings written back: %s", written.Raw)
		}
		only := apiDo(t, f, key, "PUT", "/api/v1/settings", `{"updated_at":"2020-01-01T00:00:00Z"}`)
		if only.Status != 422 || only.errorField() != "body" {
			t.Fatalf("a PUT of updated_at alone: %d %s", only.Status, only.Raw)
		}
	})
}

// TestAPIDeleteTakesAHeldSubscriptionOutOfItsBatch: DELETE on a
// subscription held in a manual flow's batch cancels it, as the admin's
// "Remove from this batch" does: its held alert is skipped and approving
// the batch sends to the others alone. A notified one is left as it is,
// also 204.
func TestAPIDeleteTakesAHeldSubscriptionOutOfItsBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		key := mustAPIKey(t, db, w.shop)
		batch := holdBatch(t, f, w)
		wantAPI(t, apiDo(t, f, key, "DELETE", fmt.Sprintf("/api/v1/subscriptions/%d", w.subs[1].ID), ""), 204, "deleting a held subscription")
		if got := subscriptionStatus(t, db, w.subs[1]); got != stockbell.SubscriptionCancelled {
			t.Fatalf("the deleted held subscription is %s, want cancelled", got)
		}
		if n, err := db.ApproveHeldBatch(context.Background(), w.shop.ID, batch.ID, decider); err != nil || n != 1 {
			t.Fatalf("approving the batch: %d approved (%v), want Ann's alert alone", n, err)
		}
		wantAPI(t, apiDo(t, f, key, "DELETE", fmt.Sprintf("/api/v1/subscriptions/%d", w.subs[0].ID), ""), 204, "deleting a notified subscription")
		if got := subscriptionStatus(t, db, w.subs[0]); got != stockbell.SubscriptionNotified {
			t.Fatalf("the deleted notified subscription is %s, want notified, unchanged", got)
		}
	})
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// storefrontFixture is a real store with one shop and a product with a
// sold-out variant ("111") and an in-stock one ("222"), behind the
// storefront API on a loopback server.
type storefrontFixture struct {
	db   *store.DB
	shop *stockbell.Shop
	url  string
	logs *lockedBuffer // the server's log, debug level included
}

// lockedBuffer is a log destination handlers may write to concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newStorefront serves the storefront API; each of with changes the
// storefront before it is served.
func newStorefront(t *testing.T, db *store.DB, perIP, perContact web.RateLimit, with ...func(*web.Storefront)) *storefrontFixture {
	t.Helper()
	ctx := context.Background()
	shop := storetest.MustShop(t, db, stockbell.PlatformShopify, "bells.myshopify.com")
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{
		ShopID: shop.ID, PlatformID: "9001", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{
			{PlatformID: "111", Title: "Small", InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
				Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}},
			{PlatformID: "222", Title: "Large", InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
				Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 4}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	front := &web.Storefront{Shops: db, Origins: db, Catalog: db, Subscriptions: db, Settings: db,
		Clock: stockbell.SystemClock{}, Logger: logger,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	front.SetRateLimits(perIP, perContact)
	for _, change := range with {
		change(front)
	}
	server.RegisterStorefront(front)
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	return &storefrontFixture{db: db, shop: shop, url: ts.URL + web.SubscriptionsPath, logs: logs}
}

func noLimits() web.RateLimit { return web.RateLimit{} }

// post sends body as the snippet does: text/plain, no preflight.
func (f *storefrontFixture) post(t *testing.T, body string, headers ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out, resp.Header
}

func (f *storefrontFixture) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.DB.Get(&n, `SELECT COUNT(*) FROM subscriptions`); err != nil {
		t.Fatal(err)
	}
	return n
}

func body(fields map[string]any) string {
	base := map[string]any{"shop": "bells.myshopify.com", "variant_id": "111", "channels": []string{"email"}, "email": "jane@example.com"}
	for k, v := range fields {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	b, _ := json.Marshal(base)
	return string(b)
}

func TestSubscribeCreatesThenFindsExisting(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		code, out, _ := f.post(t, body(map[string]any{"locale": "fr-CA", "marketing_consent": true}))
		if code != http.StatusCreated {
			t.Fatalf("first subscription: %d %v", code, out)
		}
		sub := out["subscription"].(map[string]any)
		if sub["status"] != "queued" || sub["variant_id"] != "111" || sub["channels"].([]any)[0] != "email" {
			t.Fatalf("subscription = %v", sub)
		}
		code, out, _ = f.post(t, body(map[string]any{"email": "  JANE@Example.COM "}))
		if code != http.StatusOK || out["subscription"].(map[string]any)["id"] != sub["id"] {
			t.Fatalf("same contact again: %d %v, want 200 with id %v", code, out, sub["id"])
		}
		subs, total, err := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &f.shop.ID})
		if err != nil || total != 1 || subs[0].Email != "jane@example.com" || subs[0].Locale != "fr-CA" || !subs[0].MarketingConsent {
			t.Fatalf("stored %v (total %d, err %v)", subs, total, err)
		}
	})
}

func TestSubscribeByPublicKeyWithEmailAndSMS(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		code, out, _ := f.post(t, body(map[string]any{
			"shop": f.shop.PublicKey, "variant_id": json.Number("111"), "channels": []string{"email", "sms"},
			"phone": "+1 415 555 2671", "sms_consent": true,
		}))
		if code != http.StatusCreated {
			t.Fatalf("%d %v", code, out)
		}
		subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &f.shop.ID})
		if len(subs) != 1 || subs[0].Phone != "+14155552671" || !subs[0].Has(stockbell.ChannelSMS) || !subs[0].Has(stockbell.ChannelEmail) {
			t.Fatalf("stored %+v", subs)
		}
	})
}

// TestSubscribeKeepsAConsentTextOfTheLongestLength: an SMS consent text of
// 1,000 characters, the most taken, is stored whole.
func TestSubscribeKeepsAConsentTextOfTheLongestLength(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		text := strings.Repeat("é", stockbell.MaxSMSConsentText)
		code, out, _ := f.post(t, body(map[string]any{"channels": []string{"sms"}, "phone": "+14155552671", "sms_consent": true, "sms_consent_text": text}))
		if code != http.StatusCreated {
			t.Fatalf("%d %v", code, out)
		}
		subs, _, _ := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &f.shop.ID})
		if len(subs) != 1 || subs[0].SMSConsentText != text {
			t.Fatalf("stored %+v", subs)
		}
	})
}

func TestSubscribeRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		cases := []struct {
			name   string
			body   string
			status int
			code   string
			field  string
		}{
			{"bad email", body(map[string]any{"email": "jane@"}), 422, "invalid", "email"},
			{"bad phone", body(map[string]any{"channels": []string{"sms"}, "phone": "+1 000", "sms_consent": true}), 422, "invalid", "phone"},
			{"premium-rate phone", body(map[string]any{"channels": []string{"sms"}, "phone": "+44 909 876 5432", "sms_consent": true}), 422, "invalid", "phone"},
			{"landline", body(map[string]any{"channels": []string{"sms"}, "phone": "020 7946 0958", "phone_country": "GB", "sms_consent": true}), 422, "invalid", "phone"},
			{"sms without consent", body(map[string]any{"channels": []string{"sms"}, "phone": "+14155552671"}), 422, "invalid", "sms_consent"},
			{"no channel", body(map[string]any{"channels": []string{}}), 422, "invalid", "channels"},
			{"unknown channel", body(map[string]any{"channels": []string{"pigeon"}}), 422, "invalid", "channels"},
			{"unknown variant", body(map[string]any{"variant_id": "999"}), 422, "invalid", "variant_id"},
			{"variant not sold out", body(map[string]any{"variant_id": "222"}), 422, "invalid", "variant_id"},
			{"unknown shop", body(map[string]any{"shop": "nope.myshopify.com"}), 404, "not_found", "shop"},
			{"malformed JSON", `{"shop":`, 422, "invalid", "body"},
			{"bad locale", body(map[string]any{"locale": "<script>"}), 422, "invalid", "locale"},
			{"sms consent text over 1,000 characters", body(map[string]any{"channels": []string{"sms"}, "phone": "+14155552671", "sms_consent": true,
				"sms_consent_text": strings.Repeat("é", 1001)}), 422, "invalid", "sms_consent_text"},
			{"body over 8 KB", body(map[string]any{"sms_consent_text": strings.Repeat("x", 9000)}), 413, "too_large", ""},
		}
		for _, c := range cases {
			status, out, _ := f.post(t, c.body)
			errBody, _ := out["error"].(map[string]any)
			message, _ := errBody["message"].(string)
			if status != c.status || errBody["code"] != c.code || (c.field != "" && errBody["field"] != c.field) || message == "" {
				t.Errorf("%s: %d %v, want %d %s field %q", c.name, status, out, c.status, c.code, c.field)
			}
		}
		if n := f.count(t); n != 0 {
			t.Fatalf("refused requests stored %d subscriptions", n)
		}
	})
}

func TestHoneypotAnswersLikeSuccessAndStoresNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		code, out, _ := f.post(t, body(map[string]any{"website": "http://spam.example"}))
		if code != http.StatusCreated || out["subscription"].(map[string]any)["status"] != "queued" {
			t.Fatalf("honeypot answer %d %v, want a 201-shaped answer", code, out)
		}
		if n := f.count(t); n != 0 {
			t.Fatalf("honeypot stored %d subscriptions", n)
		}
	})
}

// A bot must not tell the honeypot's answer from a real one: the same
// error for a request the form would refuse, and for a valid one the same
// status, channels awaiting confirmation, variant and locale.
func TestHoneypotAnswersAsARealRequestWould(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		on := true
		if _, err := db.UpdateSettings(context.Background(), f.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []map[string]any{{"email": "not-an-address"}, {"variant_id": "222"}, {"variant_id": "999"}} {
			_, real, _ := f.post(t, body(bad))
			bad["hp"] = "filled"
			code, caught, _ := f.post(t, body(bad))
			if code != http.StatusUnprocessableEntity || !reflect.DeepEqual(caught["error"], real["error"]) {
				t.Errorf("honeypot with %v: %d %v, want the real answer %v", bad, code, caught, real)
			}
		}
		fields := map[string]any{"locale": "de", "email": "bot@example.com", "hp": "filled"}
		code, caught, _ := f.post(t, body(fields))
		delete(fields, "hp")
		fields["email"] = "jane@example.com"
		_, real, _ := f.post(t, body(fields))
		got, want := caught["subscription"].(map[string]any), real["subscription"].(map[string]any)
		if code != http.StatusCreated || want["status"] != "pending" {
			t.Fatalf("honeypot %d %v; real %v", code, caught, real)
		}
		for _, key := range []string{"status", "channels", "awaiting_confirmation", "variant_id", "locale"} {
			if !reflect.DeepEqual(got[key], want[key]) {
				t.Errorf("honeypot answer's %s = %v, a real one's %v", key, got[key], want[key])
			}
		}
		if n := f.count(t); n != 1 {
			t.Fatalf("%d subscriptions stored, want only the real one", n)
		}
	})
}

func TestSubscribeRateLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, web.RateLimit{Events: 3, Per: time.Hour}, web.RateLimit{Events: 2, Per: time.Hour})
		// Per contact: the third try for the same email is refused.
		for i, want := range []int{201, 200, 429} {
			code, out, headers := f.post(t, body(nil), "X-Forwarded-For", "198.51.100.1")
			if code != want {
				t.Fatalf("contact try %d: %d %v, want %d", i+1, code, out, want)
			}
			if code == 429 && headers.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
		// Per address: 198.51.100.1 has used its 3; another address has not.
		if code, _, _ := f.post(t, body(map[string]any{"email": "other@example.com"}), "X-Forwarded-For", "198.51.100.1"); code != 429 {
			t.Fatalf("fourth request from one address = %d, want 429", code)
		}
		if code, out, _ := f.post(t, body(map[string]any{"email": "other@example.com"}), "X-Forwarded-For", "198.51.100.2"); code != 201 {
			t.Fatalf("request from another address = %d %v, want 201", code, out)
		}
	})
}

func TestSubscribeCORS(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		code, _, headers := f.post(t, body(nil), "Origin", "https://bells.myshopify.com")
		if code != 201 || headers.Get("Access-Control-Allow-Origin") != "https://bells.myshopify.com" {
			t.Fatalf("storefront origin: %d, ACAO %q", code, headers.Get("Access-Control-Allow-Origin"))
		}
		code, out, headers := f.post(t, body(map[string]any{"email": "evil@example.com"}), "Origin", "https://evil.example")
		// The refusal is readable by the page (the snippet says why in the
		// console) and carries no shop data.
		if code != 403 || headers.Get("Access-Control-Allow-Origin") != "https://evil.example" || strings.Contains(fmt.Sprint(out), f.shop.PublicKey) {
			t.Fatalf("foreign origin: %d, ACAO %q, %v; want a readable 403 without shop data", code, headers.Get("Access-Control-Allow-Origin"), out)
		}
		if err := db.AddShopOrigin(context.Background(), f.shop.ID, "https://headless.example"); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := f.post(t, body(map[string]any{"email": "headless@example.com"}), "Origin", "https://headless.example"); code != 201 {
			t.Fatalf("merchant-added origin: %d", code)
		}
		if code, _, _ := f.post(t, body(map[string]any{"email": "local@example.com"}), "Origin", "http://localhost:3000"); code != 403 {
			t.Fatalf("loopback origin outside development: %d, want 403", code)
		}
		if code, _, _ := f.post(t, body(map[string]any{"email": "primary@example.com"}), "Origin", "https://bells.example"); code != 403 {
			t.Fatalf("primary domain before the platform told it: %d, want 403", code)
		}
		if err := db.UpdateShopDetails(context.Background(), f.shop.ID, stockbell.ShopDetails{PrimaryDomain: "bells.example"}); err != nil {
			t.Fatal(err)
		}
		if code, _, headers := f.post(t, body(map[string]any{"email": "primary@example.com"}), "Origin", "https://bells.example"); code != 201 || headers.Get("Access-Control-Allow-Origin") != "https://bells.example" {
			t.Fatalf("primary domain learned from the platform: %d", code)
		}
		if n := f.count(t); n != 3 {
			t.Fatalf("%d subscriptions stored, want 3 (refused origins store nothing)", n)
		}
		req, _ := http.NewRequest(http.MethodOptions, f.url, bytes.NewReader(nil))
		req.Header.Set("Origin", "https://bells.myshopify.com")
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Methods") == "" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	})
}

// TestStorefrontStatus: the snippet asks whether its shop takes
// subscriptions from this page. Every answer, errors included, is
// readable by the page and carries no shop data; refusals are logged at
// debug level with the reason.
func TestStorefrontStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		status := strings.Replace(f.url, web.SubscriptionsPath, web.StatusPath, 1)
		get := func(shop, origin string) (int, string, http.Header) {
			req, _ := http.NewRequest(http.MethodGet, status+"?shop="+shop, nil)
			req.Header.Set("Origin", origin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(raw), resp.Header
		}
		code, out, h := get("bells.myshopify.com", "https://bells.myshopify.com")
		if code != 200 || !strings.Contains(out, `"ok"`) || h.Get("Access-Control-Allow-Origin") != "https://bells.myshopify.com" {
			t.Fatalf("installed shop, its storefront: %d %s %v", code, out, h)
		}
		code, out, h = get("nope.myshopify.com", "https://nope.myshopify.com")
		if code != 404 || !strings.Contains(out, "No shop nope.myshopify.com takes alerts") || h.Get("Access-Control-Allow-Origin") != "https://nope.myshopify.com" {
			t.Fatalf("unknown shop: %d %s %v", code, out, h)
		}
		if err := db.UninstallShop(context.Background(), f.shop.ID); err != nil {
			t.Fatal(err)
		}
		code, uninstalled, h := get("bells.myshopify.com", "https://bells.myshopify.com")
		if code != 404 || h.Get("Access-Control-Allow-Origin") == "" || strings.Contains(uninstalled, "uninstalled") {
			t.Fatalf("uninstalled shop: %d %s; want the unknown shop's answer (no shop data)", code, uninstalled)
		}
		if _, err := db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bells.myshopify.com"}); err != nil {
			t.Fatal(err)
		}
		code, out, h = get("bells.myshopify.com", "https://staging.example")
		if code != 403 || !strings.Contains(out, "is not one of the shop's storefronts") || h.Get("Access-Control-Allow-Origin") != "https://staging.example" {
			t.Fatalf("another site: %d %s %v", code, out, h)
		}
		logs := f.logs.String()
		for _, reason := range []string{"reason=\"unknown shop nope.myshopify.com\"", "reason=\"shop bells.myshopify.com is uninstalled\"",
			"reason=\"origin https://staging.example is not a storefront of bells.myshopify.com\""} {
			if !strings.Contains(logs, "level=DEBUG msg=\"storefront request refused\"") || !strings.Contains(logs, reason) {
				t.Errorf("the debug log lacks %s:\n%s", reason, logs)
			}
		}
	})
}

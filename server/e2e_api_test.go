package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// apiCall makes a JSON admin API request with a key ("" for none).
func apiCall(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, url, raw)
		}
	}
	return resp.StatusCode, out
}

// soldOutTee gives the shop a sold-out variant v1 of a product p1.
func soldOutTee(t *testing.T, m *Main, shop *stockbell.Shop) {
	t.Helper()
	_, err := m.DB.UpsertProduct(t.Context(), stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Tee", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v1", Title: "S", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// getCSV reads an export with the key.
func getCSV(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// lastLine is the last non-empty line of a command's output.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// TestAPIKeyFromTheCommandLine: `apikey create` prints a key alone on its
// last line; the key reads and changes its shop's settings over the real
// server; once revoked (or when unknown, or absent) the API answers 401
// with the JSON error shape.
func TestAPIKeyFromTheCommandLine(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			m := startServer(t, getenv)
			shop := storetest.MustShop(t, m.DB, stockbell.PlatformFeed, "api.example")
			code, stdout, stderr := run(t, getenv, "apikey", "create", "--shop", "api.example", "--name", "ERP")
			key := lastLine(stdout)
			if code != 0 || !strings.HasPrefix(key, stockbell.APIKeyPrefix) || strings.ContainsAny(key, " \t") {
				t.Fatalf("apikey create: exit %d, last line %q, stderr %q", code, key, stderr)
			}
			settingsURL := m.URL() + "/api/v1/settings"
			status, body := apiCall(t, "PUT", settingsURL, key, `{"min_inventory":5,"per_unit":3,"wait":"2h"}`)
			if status != 200 || body["min_inventory"] != 5.0 || body["per_unit"] != 3.0 || body["wait"] != "2h" {
				t.Fatalf("PUT settings: %d %v", status, body)
			}
			if status, body = apiCall(t, "GET", settingsURL, key, ""); status != 200 || body["wait"] != "2h" {
				t.Fatalf("GET settings: %d %v", status, body)
			}
			exportsQueuedSubscribers(t, m, shop, key)
			if code, _, stderr := run(t, getenv, "apikey", "revoke", "--shop", "api.example", "--id", "1"); code != 0 {
				t.Fatalf("apikey revoke: %s", stderr)
			}
			for name, k := range map[string]string{"revoked": key, "unknown": stockbell.APIKeyPrefix + "nope", "none": ""} {
				status, body := apiCall(t, "GET", settingsURL, k, "")
				apiErr, _ := body["error"].(map[string]any)
				if status != 401 || apiErr["code"] != "unauthorized" || apiErr["message"] == "" {
					t.Errorf("%s key: %d %v, want 401 with the JSON error", name, status, body)
				}
			}
		})
	}
}

// exportsQueuedSubscribers: two subscribers queued through the API are the
// export's two rows after its header, and ?bom=1 adds the byte order mark.
func exportsQueuedSubscribers(t *testing.T, m *Main, shop *stockbell.Shop, key string) {
	t.Helper()
	soldOutTee(t, m, shop)
	for _, email := range []string{"ann@example.com", "bea@example.com"} {
		if status, body := apiCall(t, "POST", m.URL()+"/api/v1/subscriptions", key, `{"variant_id":"v1","channels":["email"],"email":"`+email+`"}`); status != 201 {
			t.Fatalf("subscribe %s: %d %v", email, status, body)
		}
	}
	status, list := apiCall(t, "GET", m.URL()+"/api/v1/subscriptions?status=queued", key, "")
	if subs, _ := list["subscriptions"].([]any); status != 200 || len(subs) != 2 {
		t.Fatalf("queued subscriptions: %d %v", status, list)
	}
	status, csvText := getCSV(t, m.URL()+"/api/v1/exports/queued-subscribers.csv", key)
	lines := strings.Split(strings.TrimSpace(csvText), "\n")
	if status != 200 || len(lines) != 3 || !strings.HasPrefix(lines[0], "product,") || !strings.Contains(lines[1], "ann@example.com") ||
		!strings.Contains(lines[2], "bea@example.com") || strings.HasPrefix(csvText, "\uFEFF") {
		t.Fatalf("queued export: %d\n%s", status, csvText)
	}
	if _, withBOM := getCSV(t, m.URL()+"/api/v1/exports/queued-subscribers.csv?bom=1", key); withBOM != "\uFEFF"+csvText {
		t.Fatalf("?bom=1: %q", withBOM)
	}
	if status, activity := getCSV(t, m.URL()+"/api/v1/exports/activity.csv", key); status != 200 || !strings.Contains(activity, "subscribed") {
		t.Fatalf("activity export: %d\n%s", status, activity)
	}
}

// TestWebhookEndpointThroughTheAPI: an endpoint registered through the API
// on the real server receives a subscription made through the API, signed
// with the secret the registration answered.
func TestWebhookEndpointThroughTheAPI(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			m := startServer(t, getenv)
			shop := storetest.MustShop(t, m.DB, stockbell.PlatformFeed, "hooks.example")
			soldOutTee(t, m, shop)
			key, _, err := m.DB.CreateAPIKey(t.Context(), shop.ID, "hooks")
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan *http.Request, 4)
			bodies := make(chan []byte, 4)
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- r
				bodies <- body
			}))
			defer rcv.Close()
			status, created := apiCall(t, "POST", m.URL()+"/api/v1/webhooks/endpoints", key,
				`{"url":"`+rcv.URL+`/hooks","event_types":["subscription.created"]}`)
			secret, _ := created["secret"].(string)
			if status != 201 || !strings.HasPrefix(secret, "whsec_") {
				t.Fatalf("register: %d %v", status, created)
			}
			status, sub := apiCall(t, "POST", m.URL()+"/api/v1/subscriptions", key, `{"variant_id":"v1","channels":["email"],"email":"ann@example.com"}`)
			if status != 201 {
				t.Fatalf("subscribe: %d %v", status, sub)
			}
			select {
			case r := <-got:
				body := <-bodies
				k, _ := outbound.ParseSecret(secret)
				stamp, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
				if !outbound.Verify(k, r.Header.Get("webhook-id"), stamp, body, r.Header.Get("webhook-signature")) ||
					!strings.Contains(string(body), `"type":"subscription.created"`) || !strings.Contains(string(body), "ann@example.com") {
					t.Fatalf("delivery %v %s", r.Header, body)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("no delivery within 30 s")
			}
		})
	}
}

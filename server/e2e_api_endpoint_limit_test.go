package main

import (
	"fmt"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestWebhookEndpointsAtMostTenPerShop: as docs/api.md says, a shop
// registers at most stockbell.MaxWebhookEndpoints (10) endpoints through
// the API: the next is refused 409 conflict until one is deleted. The
// limit counts the shop's own endpoints only: another shop registers its
// first meanwhile.
func TestWebhookEndpointsAtMostTenPerShop(t *testing.T) {
	if stockbell.MaxWebhookEndpoints != 10 {
		t.Fatalf("MaxWebhookEndpoints = %d; docs/api.md and docs/admin.md say 10", stockbell.MaxWebhookEndpoints)
	}
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}))
			full, other := endpointKey(t, m, "full.example"), endpointKey(t, m, "other.example")
			var first float64
			for i := range stockbell.MaxWebhookEndpoints {
				status, created := registerEndpoint(t, m, full, i)
				if status != 201 {
					t.Fatalf("endpoint %d: %d %v", i+1, status, created)
				}
				if i == 0 {
					first = created["endpoint"].(map[string]any)["id"].(float64)
				}
			}
			status, refused := registerEndpoint(t, m, full, 10)
			if errorBody, _ := refused["error"].(map[string]any); status != 409 || errorBody["code"] != stockbell.ECONFLICT {
				t.Fatalf("an 11th endpoint: %d %v, want 409 conflict", status, refused)
			}
			if status, created := registerEndpoint(t, m, other, 0); status != 201 {
				t.Fatalf("another shop's first endpoint: %d %v", status, created)
			}
			url := fmt.Sprintf("%s/api/v1/webhooks/endpoints/%d", m.URL(), int64(first))
			if status, _ := apiCall(t, "DELETE", url, full, ""); status != 204 {
				t.Fatalf("delete: %d", status)
			}
			if status, created := registerEndpoint(t, m, full, 11); status != 201 {
				t.Fatalf("an endpoint once one is deleted: %d %v", status, created)
			}
		})
	}
}

// endpointKey makes a feed shop of the domain and returns an API key to it.
func endpointKey(t *testing.T, m *Main, domain string) string {
	t.Helper()
	shop := storetest.MustShop(t, m.DB, stockbell.PlatformFeed, domain)
	key, _, err := m.DB.CreateAPIKey(t.Context(), shop.ID, "hooks")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// registerEndpoint registers the key's shop's endpoint number n.
func registerEndpoint(t *testing.T, m *Main, key string, n int) (int, map[string]any) {
	t.Helper()
	body := fmt.Sprintf(`{"url":"http://127.0.0.1:9/hooks/%d","event_types":["subscription.created"]}`, n)
	return apiCall(t, "POST", m.URL()+"/api/v1/webhooks/endpoints", key, body)
}

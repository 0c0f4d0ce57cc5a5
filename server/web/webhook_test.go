package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// headerVerifier is a platform whose webhooks are signed by an X-Sig
// header equal to "ok" and name their event in X-Event.
type headerVerifier struct{ platform stockbell.Platform }

func (v headerVerifier) VerifyWebhook(ctx context.Context, h http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	if h.Get("X-Sig") != "ok" {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "bad signature")
	}
	if h.Get("X-Event") == "" {
		return nil, stockbell.FieldErrorf("X-Event", "no event")
	}
	return &stockbell.WebhookReceipt{Platform: v.platform, Domain: "a.example", EventID: h.Get("X-Event"),
		Topic: "stock", Payload: body}, nil
}

func postWebhook(t *testing.T, url string, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestWebhookRoute plays the generic webhook route with a platform's
// verifier: statuses by error, one receipt and one job per event, nothing
// stored for a refusal.
func TestWebhookRoute(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
		server.RegisterWebhook(stockbell.PlatformBigCommerce, headerVerifier{stockbell.PlatformBigCommerce}, db)
		server.RegisterWebhook(stockbell.PlatformMagento, headerVerifier{stockbell.PlatformShopify}, db)
		ts := httptest.NewServer(server.Handler())
		defer ts.Close()
		url := ts.URL + web.WebhookPath(stockbell.PlatformBigCommerce)

		refusals := []struct {
			name    string
			status  int
			body    string
			headers []string
		}{
			{"bad signature", 401, `{}`, []string{"X-Sig", "no", "X-Event", "e1"}},
			{"malformed", 400, `{}`, []string{"X-Sig", "ok"}},
			{"too large", 413, strings.Repeat("x", web.MaxWebhookBytes+1), []string{"X-Sig", "ok", "X-Event", "e1"}},
		}
		for _, c := range refusals {
			if status, out := postWebhook(t, url, c.body, c.headers...); status != c.status || out["error"] == nil {
				t.Errorf("%s: %d %v, want %d with an error body", c.name, status, out, c.status)
			}
		}
		if status, _ := postWebhook(t, ts.URL+web.WebhookPath(stockbell.PlatformMagento), `{}`, "X-Sig", "ok", "X-Event", "e1"); status != 500 {
			t.Errorf("a verifier answering for another platform: %d, want 500", status)
		}
		if status, _ := postWebhook(t, ts.URL+web.WebhookPath(stockbell.PlatformPrestaShop), `{}`); status != 404 {
			t.Errorf("an unregistered platform: %d, want 404", status)
		}
		for i, wantDuplicate := range []bool{false, true} {
			status, out := postWebhook(t, url, `{"n":1}`, "X-Sig", "ok", "X-Event", "e1")
			if status != 200 || out["received"] != true || out["duplicate"] != wantDuplicate {
				t.Fatalf("post #%d: %d %v", i+1, status, out)
			}
		}
		var receipts int
		db.DB.Get(&receipts, `SELECT COUNT(*) FROM webhook_receipts`)
		pending, err := db.ClaimReceipts(context.Background(), 10, time.Minute)
		if receipts != 1 || err != nil || len(pending) != 1 {
			t.Fatalf("%d receipts, %d pending processing (%v), want 1 and 1", receipts, len(pending), err)
		}
	})
}

package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// namingVerifier accepts every webhook; its body is the shop the payload
// names, X-Shop the shop the (unsigned) headers name.
type namingVerifier struct{}

func (namingVerifier) VerifyWebhook(ctx context.Context, h http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	return &stockbell.WebhookReceipt{Platform: stockbell.PlatformBigCommerce, Domain: h.Get("X-Shop"), EventID: h.Get("X-Event"),
		Topic: "store/app/uninstalled", Payload: body, PayloadDomain: string(body)}, nil
}

// TestWebhookPayloadMustNameTheHeadersShop: for every platform, a receipt
// whose signed payload names another shop than the headers is refused with
// 400 and not stored; a payload naming the same shop (case aside), or
// none, is stored.
func TestWebhookPayloadMustNameTheHeadersShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
		server.RegisterWebhook(stockbell.PlatformBigCommerce, namingVerifier{}, db)
		ts := httptest.NewServer(server.Handler())
		defer ts.Close()
		url := ts.URL + web.WebhookPath(stockbell.PlatformBigCommerce)
		if code, _ := postWebhook(t, url, "stores/attacker", "X-Shop", "stores/victim", "X-Event", "e1"); code != http.StatusBadRequest {
			t.Fatalf("payload of another shop: %d, want 400", code)
		}
		if code, _ := postWebhook(t, url, "stores/Victim", "X-Shop", "stores/victim", "X-Event", "e2"); code != http.StatusOK {
			t.Fatalf("payload of the same shop: %d, want 200", code)
		}
		if code, _ := postWebhook(t, url, "", "X-Shop", "stores/victim", "X-Event", "e3"); code != http.StatusOK {
			t.Fatalf("payload naming no shop: %d, want 200", code)
		}
		var n int
		if err := db.DB.Get(&n, `SELECT COUNT(*) FROM webhook_receipts WHERE event_id = 'e1'`); err != nil || n != 0 {
			t.Fatalf("the refused receipt was stored (%d, %v)", n, err)
		}
	})
}

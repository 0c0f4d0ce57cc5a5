package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// benchSecret signs the benchmark's webhooks.
const benchSecret = "bench-webhook-secret"

// BenchmarkWebhookAccept posts signed Shopify inventory_levels/update
// webhooks (each a new event) to the real webhook route over loopback, on
// each database, and beside it a bare net/http handler that verifies the
// same HMAC and does one INSERT into the same database.
//
//	go test ./bench -run '^$' -bench Webhook -benchtime 4000x -count 5
func BenchmarkWebhookAccept(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect)+"/stockbell", func(b *testing.B) {
			db := storetest.Open(b, dialect)
			url, domain := webhookServer(b, db)
			runLoad(b, func(i int) *http.Request { return signedWebhook(url, domain, i) })
		})
		b.Run(string(dialect)+"/bare-insert", func(b *testing.B) {
			db := storetest.Open(b, dialect)
			url := bareWebhookServer(b, db)
			runLoad(b, func(i int) *http.Request { return signedWebhook(url, "bench.myshopify.com", i) })
		})
	}
}

// signedWebhook is Shopify's inventory_levels/update webhook number i.
func signedWebhook(url, domain string, i int) *http.Request {
	body := fmt.Sprintf(`{"inventory_item_id":%d,"location_id":1,"available":%d,"updated_at":%q}`,
		1000+i%1000, i%7, time.Now().UTC().Format(time.RFC3339))
	mac := hmac.New(sha256.New, []byte(benchSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Shopify-Shop-Domain", domain)
	req.Header.Set("X-Shopify-Topic", "inventory_levels/update")
	req.Header.Set("X-Shopify-Event-Id", "bench-"+strconv.Itoa(i))
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	return req
}

// webhookServer serves the Shopify webhook route for one installed shop.
func webhookServer(b *testing.B, db *store.DB) (url, domain string) {
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, "bench.myshopify.com")
	server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
	verifier := &shopify.WebhookVerifier{Config: stockbell.ShopifyConfig{APIKey: "bench", APISecret: benchSecret}, Shops: db}
	server.RegisterWebhook(stockbell.PlatformShopify, verifier, db)
	ts := httptest.NewServer(server.Handler())
	b.Cleanup(ts.Close)
	return ts.URL + web.WebhookPath(stockbell.PlatformShopify), shop.Domain
}

// bareWebhookServer is the baseline: verify the HMAC, insert one row.
func bareWebhookServer(b *testing.B, db *store.DB) string {
	if _, err := db.DB.Exec(`CREATE TABLE bare_receipts (event_id TEXT NOT NULL, body TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	insert := db.DB.Rebind(`INSERT INTO bare_receipts (event_id, body) VALUES (?, ?)`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if !shopify.VerifySignature([]string{benchSecret}, body, r.Header.Get("X-Shopify-Hmac-Sha256")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if _, err := db.DB.ExecContext(r.Context(), insert, r.Header.Get("X-Shopify-Event-Id"), string(body)); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(ts.Close)
	return ts.URL
}

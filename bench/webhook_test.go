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

// benchDomain is the benchmarks' shop.
const benchDomain = "bench.myshopify.com"

// benchEpoch is Shopify's updated_at of the first change to each inventory
// item; each later change to the item is a second later, so that every
// change is newer than the one before it and the stored level (an hour
// old).
var benchEpoch = time.Now().UTC().Add(-50 * time.Minute).Truncate(time.Second)

// BenchmarkWebhookAccept posts signed Shopify inventory_levels/update
// webhooks (each a new event, spread over 1,000 variants) to the real
// webhook route over loopback while the receipts are processed in the same
// process (the receipts' drainer, then the queue's workers for the restock
// decisions), on each database. Beside it, in the
// same run, the baseline: a bare net/http handler that verifies the same
// HMAC and does one INSERT into a fresh database of the same kind.
// processed/s is how many receipts were processed during the load.
//
//	go test ./bench -run '^$' -bench WebhookAccept -benchtime 5000x -count 5
func BenchmarkWebhookAccept(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			runWebhookAccept(b, dialect, bareWebhookTarget(dialect))
		})
	}
}

// runWebhookAccept runs BenchmarkWebhookAccept's subject (processing
// running) beside the baseline and reports the receipts processed during
// the load.
func runWebhookAccept(b *testing.B, dialect store.Dialect, baseline target) {
	var db *store.DB
	subject := func(b *testing.B) arm {
		var url, dbURL string
		db, url, dbURL = webhookServer(b, dialect, true)
		return arm{newRequest: func(i int) *http.Request { return signedWebhook(url, i) }, pgDatabase: pgDatabase(dbURL)}
	}
	result, _ := runPair(b, subject, baseline)
	processed := count(b, db, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NOT NULL`)
	b.ReportMetric(float64(processed)/result.Elapsed.Seconds(), "processed/s")
}

// BenchmarkWebhookStoring is BenchmarkWebhookAccept with the receipts'
// processing not started: what accepting a webhook costs by itself
// (verified, its receipt stored durably, answered), beside the same bare
// handler. The targets count accepts while processing runs; this figure
// shows how much of the distance to the bare handler is the accept path's
// own, and how much is the processing's share of the two cores and, on
// SQLite, of its one writer (docs/BENCHMARKS.md).
//
//	go test ./bench -run '^$' -bench WebhookStoring -benchtime 3000x -count 5
func BenchmarkWebhookStoring(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			subject := func(b *testing.B) arm {
				_, url, dbURL := webhookServer(b, dialect, false)
				return arm{newRequest: func(i int) *http.Request { return signedWebhook(url, i) }, pgDatabase: pgDatabase(dbURL)}
			}
			runPair(b, subject, bareWebhookTarget(dialect))
		})
	}
}

// signedWebhook is Shopify's inventory_levels/update webhook number i: a
// change to inventory item 1000+i%1000.
func signedWebhook(url string, i int) *http.Request {
	updated := benchEpoch.Add(time.Duration(i/catalogVariants) * time.Second)
	body := fmt.Sprintf(`{"inventory_item_id":%d,"location_id":1,"available":%d,"updated_at":%q}`,
		1000+i%catalogVariants, i%7, updated.Format(time.RFC3339))
	mac := hmac.New(sha256.New, []byte(benchSecret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Shopify-Shop-Domain", benchDomain)
	req.Header.Set("X-Shopify-Topic", "inventory_levels/update")
	req.Header.Set("X-Shopify-Event-Id", "bench-"+strconv.Itoa(i))
	req.Header.Set("X-Shopify-Triggered-At", updated.Format(time.RFC3339Nano))
	return req
}

// webhookServer serves the Shopify webhook route on a fresh database of
// the dialect for one installed shop with a stocked catalog, with the
// receipts' processing running when processing is set.
func webhookServer(b *testing.B, dialect store.Dialect, processing bool) (db *store.DB, url, dbURL string) {
	db, dbURL = storetest.OpenURL(b, dialect)
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, benchDomain)
	stockedCatalog(b, db, shop.ID)
	if processing {
		startProcessing(b, db, dbURL)
	}
	return db, serveWebhooks(b, db), dbURL
}

// serveWebhooks serves the Shopify webhook route on db.
func serveWebhooks(b *testing.B, db *store.DB) string {
	server := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), db)
	server.RegisterWebhook(stockbell.PlatformShopify, &shopify.WebhookVerifier{Config: benchShopify}, db)
	ts := httptest.NewServer(server.Handler())
	b.Cleanup(ts.Close)
	return ts.URL + web.WebhookPath(stockbell.PlatformShopify)
}

// bareWebhookTarget is the baseline: verify the HMAC, insert one row.
func bareWebhookTarget(dialect store.Dialect) target {
	return func(b *testing.B) arm {
		db, dbURL := storetest.OpenURL(b, dialect)
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
		return arm{newRequest: func(i int) *http.Request { return signedWebhook(ts.URL, i) }, pgDatabase: pgDatabase(dbURL)}
	}
}

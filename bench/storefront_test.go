package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// loadWorkers is the number of concurrent clients of the load generator.
const loadWorkers = 16

// BenchmarkStorefrontSubscribe posts subscriptions (each a new contact) to
// the real storefront API over loopback, on each database, and beside it a
// bare net/http handler that does one INSERT into the same database.
//
//	go test ./bench -run '^$' -bench Storefront -benchtime 2000x -count 5
func BenchmarkStorefrontSubscribe(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect)+"/stockbell", func(b *testing.B) {
			db := storetest.Open(b, dialect)
			url, shopDomain := storefrontServer(b, db)
			runLoad(b, func(i int) *http.Request {
				body := fmt.Sprintf(`{"shop":%q,"variant_id":"111","channels":["email"],"email":"shopper%d@example.com"}`, shopDomain, i)
				return textPost(url, body)
			})
		})
		b.Run(string(dialect)+"/bare-insert", func(b *testing.B) {
			db := storetest.Open(b, dialect)
			url := bareInsertServer(b, db)
			runLoad(b, func(i int) *http.Request {
				return textPost(url, fmt.Sprintf(`{"email":"shopper%d@example.com"}`, i))
			})
		})
	}
}

func runLoad(b *testing.B, newRequest func(i int) *http.Request) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers}}
	b.ResetTimer()
	result := Load(client, loadWorkers, b.N, newRequest)
	b.StopTimer()
	if result.Errors > 0 {
		b.Fatalf("%d of %d requests failed", result.Errors, result.Requests)
	}
	b.ReportMetric(result.PerSecond(), "posts/s")
	b.ReportMetric(float64(result.Percentile(50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(result.Percentile(99).Microseconds())/1000, "p99-ms")
}

func textPost(url, body string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	return req
}

// storefrontServer serves the storefront API for a shop with one sold-out variant.
func storefrontServer(b *testing.B, db *store.DB) (url, shopDomain string) {
	ctx := context.Background()
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, "bench.myshopify.com")
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "1", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "111", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	front := &web.Storefront{Shops: db, Origins: db, Catalog: db, Subscriptions: db, Clock: stockbell.SystemClock{}, Logger: logger}
	front.SetRateLimits(web.RateLimit{}, web.RateLimit{})
	server.RegisterStorefront(front)
	ts := httptest.NewServer(server.Handler())
	b.Cleanup(ts.Close)
	return ts.URL + web.SubscriptionsPath, shop.Domain
}

// bareInsertServer is the baseline: decode nothing, insert one row.
func bareInsertServer(b *testing.B, db *store.DB) string {
	if _, err := db.DB.Exec(`CREATE TABLE bare_subscriptions (email TEXT NOT NULL, body TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	insert := db.DB.Rebind(`INSERT INTO bare_subscriptions (email, body) VALUES (?, ?)`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 512)
		n, _ := r.Body.Read(buf)
		if _, err := db.DB.ExecContext(r.Context(), insert, r.RemoteAddr, string(buf[:n])); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	b.Cleanup(ts.Close)
	return ts.URL
}

package bench

import (
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

// BenchmarkStorefrontSubscribe posts subscriptions (each a new contact on
// one sold-out variant) to the real storefront API over loopback, on each
// database; beside it, in the same run, the baseline: a bare net/http
// handler that reads the body and does one INSERT into a fresh database of
// the same kind.
//
//	go test ./bench -run '^$' -bench StorefrontSubscribe -benchtime 5000x -count 5
func BenchmarkStorefrontSubscribe(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			runPair(b, storefrontTarget(dialect), bareInsertTarget(dialect))
		})
	}
}

// storefrontTarget serves the storefront API on a fresh database.
func storefrontTarget(dialect store.Dialect) target {
	return func(b *testing.B) arm {
		db, dbURL := storetest.OpenURL(b, dialect)
		return arm{newRequest: subscriptionPost(storefrontServer(b, db)), pgDatabase: pgDatabase(dbURL)}
	}
}

// subscriptionPost is the storefront's POST of a new contact number i.
func subscriptionPost(url string) func(int) *http.Request {
	return func(i int) *http.Request {
		return textPost(url, fmt.Sprintf(`{"shop":%q,"variant_id":"111","channels":["email"],"email":"shopper%d@example.com"}`, benchDomain, i))
	}
}

func textPost(url, body string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	return req
}

// storefrontServer serves the storefront API for a shop with one sold-out
// variant (creating them unless they exist), with the rate limits out of
// the way.
func storefrontServer(b *testing.B, db *store.DB) string {
	_, err := db.FindShopByDomain(ctx, stockbell.PlatformShopify, benchDomain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		soldOutShop(b, db)
	} else if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	front := &web.Storefront{Shops: db, Origins: db, Catalog: db, Subscriptions: db, Clock: stockbell.SystemClock{}, Logger: logger}
	front.SetRateLimits(web.RateLimit{}, web.RateLimit{})
	server.RegisterStorefront(front)
	ts := httptest.NewServer(server.Handler())
	b.Cleanup(ts.Close)
	return ts.URL + web.SubscriptionsPath
}

// soldOutShop installs the benchmark shop with variant 111 sold out.
func soldOutShop(b *testing.B, db *store.DB) *stockbell.Shop {
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, benchDomain)
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "1", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "111", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		b.Fatal(err)
	}
	return shop
}

// bareInsertTarget is the baseline: decode nothing, insert one row.
func bareInsertTarget(dialect store.Dialect) target {
	return func(b *testing.B) arm {
		db, dbURL := storetest.OpenURL(b, dialect)
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
		return arm{newRequest: func(i int) *http.Request {
			return textPost(ts.URL, fmt.Sprintf(`{"email":"shopper%d@example.com"}`, i))
		}, pgDatabase: pgDatabase(dbURL)}
	}
}

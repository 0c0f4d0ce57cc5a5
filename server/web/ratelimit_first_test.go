package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// countingShops counts the storefront's first database read.
type countingShops struct {
	*store.DB
	lookups atomic.Int64
}

func (c *countingShops) FindShopByKey(ctx context.Context, key string) (*stockbell.Shop, error) {
	c.lookups.Add(1)
	return c.DB.FindShopByKey(ctx, key)
}

// TestClientLimitBeforeAnyDatabaseWork: a client over its limit is
// answered 429 before the shop is even looked up, and an IPv6 client is
// counted by its /64, so rotating addresses inside it does not help.
func TestClientLimitBeforeAnyDatabaseWork(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		base := newStorefront(t, db, noLimits(), noLimits()) // seeds the shop and its variants
		shops := &countingShops{DB: db}
		logger := slog.New(slog.DiscardHandler)
		server := web.NewServer(logger, prometheus.NewRegistry(), db)
		front := &web.Storefront{Shops: shops, Origins: db, Catalog: db, Subscriptions: db, Clock: stockbell.SystemClock{}, Logger: logger,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		front.SetRateLimits(web.RateLimit{Events: 1, Per: time.Minute}, noLimits())
		server.RegisterStorefront(front)
		ts := httptest.NewServer(server.Handler())
		t.Cleanup(ts.Close)
		f := &storefrontFixture{db: db, shop: base.shop, url: ts.URL + web.SubscriptionsPath}

		if code, out, _ := f.post(t, body(nil), "X-Forwarded-For", "2001:db8:7:7::1"); code != http.StatusCreated {
			t.Fatalf("first request: %d %v", code, out)
		}
		for _, addr := range []string{"2001:db8:7:7::2", "2001:db8:7:7:ffff::9", "2001:db8:7:7::1"} {
			code, _, headers := f.post(t, body(map[string]any{"email": "other@example.com"}), "X-Forwarded-For", addr, "Origin", "https://bells.example")
			if code != http.StatusTooManyRequests || headers.Get("Retry-After") == "" {
				t.Fatalf("%s, same /64: %d, want 429 with Retry-After", addr, code)
			}
		}
		if n := shops.lookups.Load(); n != 1 {
			t.Fatalf("%d shop lookups for one admitted request and three refused, want 1", n)
		}
		if code, _, _ := f.post(t, body(map[string]any{"email": "next@example.com"}), "X-Forwarded-For", "2001:db8:7:8::1"); code != http.StatusCreated {
			t.Fatalf("another /64: %d, want 201", code)
		}
	})
}

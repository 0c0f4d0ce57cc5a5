package shopify_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/netguard"
)

// TestRetryAfterIsCapped: a 429 whose Retry-After asks for a year (a
// number of seconds or a date) is retried after netguard.MaxRetryAfter,
// not a year later.
func TestRetryAfterIsCapped(t *testing.T) {
	for _, retryAfter := range []string{"31536000", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat)} {
		var calls atomic.Int32
		admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"data":{"shop":{"id":"gid://shopify/Shop/1"}}}`))
		}))
		client := shopify.NewAdminClient(stockbell.ShopifyConfig{AdminURL: admin.URL + "/{shop}"}, stockbell.SystemClock{}, slog.New(slog.DiscardHandler))
		var slept []time.Duration
		client.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
		var out struct{ Shop struct{ ID string } }
		err := client.Query(context.Background(), "capped.myshopify.com", "shpat_x", "{ shop { id } }", nil, &out)
		admin.Close()
		if err != nil || out.Shop.ID == "" {
			t.Fatalf("Retry-After %s: %+v, %v", retryAfter, out, err)
		}
		if len(slept) != 1 || slept[0] != netguard.MaxRetryAfter {
			t.Fatalf("Retry-After %s: waits %v, want one of %v", retryAfter, slept, netguard.MaxRetryAfter)
		}
	}
}

// TestAccessTokenStaysWithTheShop: an Admin API answer redirecting to
// another host never carries the shop's access token there (Go sends
// custom headers such as X-Shopify-Access-Token on to any host).
func TestAccessTokenStaysWithTheShop(t *testing.T) {
	var leaked atomic.Value
	leaked.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Shopify-Access-Token"))
		w.Write([]byte(`{"data":{"shop":{"id":"gid://shopify/Shop/1"}}}`))
	}))
	defer other.Close()
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer admin.Close()
	client := shopify.NewAdminClient(stockbell.ShopifyConfig{AdminURL: admin.URL + "/{shop}"}, stockbell.SystemClock{}, slog.New(slog.DiscardHandler))
	client.Sleep = func(context.Context, time.Duration) error { return nil }
	var out struct{ Shop struct{ ID string } }
	client.Query(context.Background(), "leaky.myshopify.com", "shpat_secret", "{ shop { id } }", nil, &out)
	if got := leaked.Load().(string); got != "" {
		t.Fatalf("the access token reached another host: %q", got)
	}
}

package magento

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockbell/stockbell/netguard"
)

// TestRetryAfterIsHonoured: a store answering 429 or 503 with a
// Retry-After is asked again after the wait it names, in seconds or as an
// HTTP date measured from its own Date header, at most
// netguard.MaxRetryAfter; without one, after the fixed pauses.
func TestRetryAfterIsHonoured(t *testing.T) {
	date := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name       string
		status     int
		retryAfter string
		want       []time.Duration
	}{
		{"seconds", http.StatusTooManyRequests, "3", []time.Duration{3 * time.Second, 3 * time.Second}},
		{"a date", http.StatusServiceUnavailable, date.Add(5 * time.Second).Format(http.TimeFormat), []time.Duration{5 * time.Second, 5 * time.Second}},
		{"beyond the cap", http.StatusTooManyRequests, "86400", []time.Duration{netguard.MaxRetryAfter, netguard.MaxRetryAfter}},
		{"none", http.StatusTooManyRequests, "", []time.Duration{500 * time.Millisecond, 2 * time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) <= 2 {
					w.Header().Set("Date", date.Format(http.TimeFormat))
					if c.retryAfter != "" {
						w.Header().Set("Retry-After", c.retryAfter)
					}
					w.WriteHeader(c.status)
					return
				}
				w.Write([]byte(`{"ok":true}`))
			}))
			defer store.Close()
			var slept []time.Duration
			client := NewClient(true)
			client.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
			cred := Credentials{BaseURL: store.URL, ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts", Method: MethodHMACSHA256}
			var out map[string]any
			if err := client.get(context.Background(), cred, "/store/storeConfigs", nil, &out); err != nil || out["ok"] != true {
				t.Fatalf("the third attempt: %v, %v", out, err)
			}
			if !slices.Equal(slept, c.want) {
				t.Fatalf("waits between attempts: %v, want %v", slept, c.want)
			}
		})
	}
}

// TestRefusedStoreIsNotRetried: in production a REST read of a store on a
// loopback address is refused when its socket is dialled, and not tried
// again: it would be refused again.
func TestRefusedStoreIsNotRetried(t *testing.T) {
	var reached atomic.Int32
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer store.Close()
	var slept []time.Duration
	client := NewClient(false)
	client.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	cred := Credentials{BaseURL: store.URL, ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts", Method: MethodHMACSHA256}
	var out map[string]any
	err := client.get(context.Background(), cred, "/store/storeConfigs", nil, &out)
	if err == nil || !strings.Contains(err.Error(), "Magento stores must be on the public internet") || reached.Load() != 0 || len(slept) != 0 {
		t.Fatalf("a loopback store in production: %v; reached %d times, after waits %v", err, reached.Load(), slept)
	}
}

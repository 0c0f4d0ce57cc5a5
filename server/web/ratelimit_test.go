package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestParseRateLimit(t *testing.T) {
	if l, err := ParseRateLimit("30/1m"); err != nil || l.Events != 30 || l.Per != time.Minute {
		t.Errorf("30/1m = %+v, %v", l, err)
	}
	if l, err := ParseRateLimit("0"); err != nil || l.Events != 0 {
		t.Errorf("0 = %+v, %v", l, err)
	}
	for _, bad := range []string{"", "30", "x/1m", "30/x", "-1/1m", "30/0s"} {
		if _, err := ParseRateLimit(bad); err == nil {
			t.Errorf("ParseRateLimit(%q) accepted", bad)
		}
	}
}

func TestKeyedLimiter(t *testing.T) {
	l := newKeyedLimiter(RateLimit{Events: 3, Per: time.Minute})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if !l.Allow("a", now) {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	if l.Allow("a", now) {
		t.Fatal("fourth request in the same instant allowed")
	}
	if !l.Allow("b", now) {
		t.Fatal("another key was limited by the first")
	}
	if !l.Allow("a", now.Add(20*time.Second)) {
		t.Fatal("a token did not come back after Per/Events")
	}
	l.Allow("c", now.Add(5*time.Minute)) // sweeps idle buckets
	if len(l.buckets) != 1 {
		t.Fatalf("idle buckets kept: %d", len(l.buckets))
	}
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		peer, xff, want string
	}{
		{"203.0.113.9:5000", "1.2.3.4", "203.0.113.9"},             // untrusted peer: header ignored
		{"10.0.0.2:5000", "1.2.3.4", "1.2.3.4"},                    // trusted proxy
		{"10.0.0.2:5000", "6.6.6.6, 1.2.3.4, 10.0.0.7", "1.2.3.4"}, // spoofed left-most entry ignored
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "garbage", "10.0.0.2"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ClientIP(r, trusted); got != c.want {
			t.Errorf("peer %s xff %q: got %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

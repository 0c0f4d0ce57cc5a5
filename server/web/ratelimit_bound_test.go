package web

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiterMemoryIsBounded: a flood of distinct keys never holds more
// buckets than the bound, and idle buckets are dropped.
func TestLimiterMemoryIsBounded(t *testing.T) {
	l := newKeyedLimiter(RateLimit{Events: 2, Per: time.Minute})
	l.maxKeys = 100
	now := time.Now()
	for i := range 10_000 {
		l.Allow(fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255), now)
	}
	if n := l.size(); n != 100 {
		t.Fatalf("%d buckets after 10,000 keys, want the bound (100)", n)
	}
	l.Allow("198.51.100.1", now.Add(2*time.Minute))
	if n := l.size(); n != 1 {
		t.Fatalf("%d buckets after every other went idle, want 1", n)
	}
}

// TestLimiterBoundAsShipped: the bound the server runs with is the one
// docs/security.md promises (65,536 clients per limiter), and a flood of
// more distinct clients than that stays within it.
func TestLimiterBoundAsShipped(t *testing.T) {
	l := newKeyedLimiter(RateLimit{Events: 2, Per: time.Minute})
	if l.maxKeys != 65_536 {
		t.Fatalf("limiter bound %d, documented as 65,536", l.maxKeys)
	}
	now := time.Now()
	for i := range 70_000 {
		l.Allow(fmt.Sprintf("2001:db8:%x:%x::/64", i>>16, i&0xffff), now)
	}
	if n := l.size(); n != l.maxKeys {
		t.Fatalf("%d buckets after 70,000 clients, want the bound (%d)", n, l.maxKeys)
	}
}

// TestLimiterKeepsLimitingTheRecent: the bound drops the least recently
// seen clients, never a client that keeps coming.
func TestLimiterKeepsLimitingTheRecent(t *testing.T) {
	l := newKeyedLimiter(RateLimit{Events: 3, Per: time.Hour})
	l.maxKeys = 10
	now := time.Now()
	allowed := 0
	for i := range 100 {
		if l.Allow("203.0.113.9", now) {
			allowed++
		}
		l.Allow(fmt.Sprintf("192.0.2.%d", i), now)
	}
	if allowed != 3 {
		t.Fatalf("a persistent client was allowed %d times, want 3", allowed)
	}
}

func TestClientKey(t *testing.T) {
	for ip, want := range map[string]string{
		"198.51.100.7":                  "198.51.100.7",
		"::ffff:198.51.100.7":           "198.51.100.7",
		"2001:db8:1:2:3:4:5:6":          "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":               "2001:db8:1:3::/64",
		"not-an-address":                "not-an-address",
	} {
		if got := ClientKey(ip); got != want {
			t.Errorf("ClientKey(%s) = %s, want %s", ip, got, want)
		}
	}
}

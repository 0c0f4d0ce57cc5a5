package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit allows Events per Per, with bursts of up to Events.
type RateLimit struct {
	Events int
	Per    time.Duration
}

// ParseRateLimit reads "N/DURATION", e.g. "30/1m" or "5/1h"; "0" turns the
// limit off.
func ParseRateLimit(s string) (RateLimit, error) {
	if strings.TrimSpace(s) == "0" {
		return RateLimit{}, nil
	}
	count, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.Atoi(count)
	d, derr := time.ParseDuration(per)
	if !ok || err != nil || derr != nil || n < 1 || d <= 0 {
		return RateLimit{}, fmt.Errorf("want N/DURATION such as 30/1m, or 0 for no limit, got %q", s)
	}
	return RateLimit{Events: n, Per: d}, nil
}

// keyedLimiter keeps one token bucket per key (a client address or a
// contact). Buckets idle for longer than they take to refill are dropped,
// so memory stays bounded by the active clients. Limits are per replica.
type keyedLimiter struct {
	limit   RateLimit
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newKeyedLimiter(limit RateLimit) *keyedLimiter {
	return &keyedLimiter{limit: limit, buckets: map[string]*bucket{}}
}

// Allow reports whether key may act now, spending a token if so.
func (l *keyedLimiter) Allow(key string, now time.Time) bool {
	if l == nil || l.limit.Events == 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		every := rate.Every(l.limit.Per / time.Duration(l.limit.Events))
		b = &bucket{limiter: rate.NewLimiter(every, l.limit.Events)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

func (l *keyedLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.limit.Per {
		return
	}
	l.swept = now
	for key, b := range l.buckets {
		if now.Sub(b.seen) > l.limit.Per {
			delete(l.buckets, key)
		}
	}
}

// ClientIP returns the address of the client that made the request. The
// X-Forwarded-For header is believed only when the peer is a trusted proxy;
// then the right-most address that is not itself a trusted proxy wins
// (left-most entries are whatever the client chose to send).
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !isTrusted(addr, trusted) {
			return addr.Unmap().String()
		}
	}
	return host
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	addr = addr.Unmap()
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

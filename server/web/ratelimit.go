package web

import (
	"container/list"
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

// maxLimiterKeys bounds the buckets one limiter keeps: about 150 bytes
// each, so a limiter never holds more than ~10 MB whatever clients send.
const maxLimiterKeys = 1 << 16

// keyedLimiter keeps one token bucket per key (a client address or a
// contact). Buckets idle for longer than they take to refill are dropped;
// beyond maxKeys the least recently seen bucket makes room, so memory is
// bounded even under a flood of new keys. Limits are per replica.
type keyedLimiter struct {
	limit   RateLimit
	maxKeys int
	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket, most recently seen first
	recent  *list.List
}

type bucket struct {
	key     string
	limiter *rate.Limiter
	seen    time.Time
}

func newKeyedLimiter(limit RateLimit) *keyedLimiter {
	return &keyedLimiter{limit: limit, maxKeys: maxLimiterKeys, buckets: map[string]*list.Element{}, recent: list.New()}
}

// Allow reports whether key may act now, spending a token if so.
func (l *keyedLimiter) Allow(key string, now time.Time) bool {
	if l == nil || l.limit.Events == 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropIdle(now)
	e := l.buckets[key]
	if e == nil {
		if l.recent.Len() >= l.maxKeys {
			delete(l.buckets, l.recent.Remove(l.recent.Back()).(*bucket).key)
		}
		every := rate.Every(l.limit.Per / time.Duration(l.limit.Events))
		e = l.recent.PushFront(&bucket{key: key, limiter: rate.NewLimiter(every, l.limit.Events)})
		l.buckets[key] = e
	}
	l.recent.MoveToFront(e)
	b := e.Value.(*bucket)
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// dropIdle drops the buckets unseen for longer than they take to refill
// (they hold nothing a fresh bucket would not), oldest first.
func (l *keyedLimiter) dropIdle(now time.Time) {
	for e := l.recent.Back(); e != nil && now.Sub(e.Value.(*bucket).seen) > l.limit.Per; e = l.recent.Back() {
		delete(l.buckets, l.recent.Remove(e).(*bucket).key)
	}
}

// size returns how many buckets the limiter holds.
func (l *keyedLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recent.Len()
}

// ClientKey is what the per-client limit counts a request against: an
// IPv4 address, or the /64 network of an IPv6 address (one subscriber
// line gets a whole /64 and may use any address in it).
func ClientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
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

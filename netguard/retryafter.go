package netguard

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the wait an answer's Retry-After asks for, so that a
// slow or hostile host cannot park a job for hours.
const MaxRetryAfter = time.Minute

// RetryAfter reads an answer's Retry-After header: delay seconds (Shopify
// sends fractions, "2.0") or an HTTP date. A date is measured from the
// answer's own Date when it has one, so that a difference between the
// host's clock and ours does not count, else from now; a date already past
// is no wait. The wait is capped at MaxRetryAfter. ok is false when the
// header is missing or unreadable.
func RetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) {
			return 0, false
		}
		return min(time.Duration(min(secs, MaxRetryAfter.Seconds())*float64(time.Second)), MaxRetryAfter), true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return min(max(at.Sub(now), 0), MaxRetryAfter), true
}

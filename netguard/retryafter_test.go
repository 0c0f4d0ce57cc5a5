package netguard_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stockbell/stockbell/netguard"
)

// TestRetryAfter reads delay seconds and HTTP dates (measured from the
// answer's Date when it has one), caps both at MaxRetryAfter and says when
// there is nothing usable.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return t.Format(http.TimeFormat) }
	for _, c := range []struct {
		name, retryAfter, date string
		want                   time.Duration
		ok                     bool
	}{
		{"seconds", "7", "", 7 * time.Second, true},
		{"fractional seconds", "2.5", "", 2500 * time.Millisecond, true},
		{"a year of seconds", "31536000", "", netguard.MaxRetryAfter, true},
		{"beyond any duration", "1e300", "", netguard.MaxRetryAfter, true},
		{"a date from now", date(now.Add(9 * time.Second)), "", 9 * time.Second, true},
		{"a date from the answer's Date", date(now.Add(time.Hour + 5*time.Second)), date(now.Add(time.Hour)), 5 * time.Second, true},
		{"a date next year", date(now.AddDate(1, 0, 0)), "", netguard.MaxRetryAfter, true},
		{"a date past", date(now.Add(-time.Minute)), "", 0, true},
		{"none", "", "", 0, false},
		{"negative", "-3", "", 0, false},
		{"not a number or date", "soon", "", 0, false},
	} {
		h := http.Header{}
		if c.retryAfter != "" {
			h.Set("Retry-After", c.retryAfter)
		}
		if c.date != "" {
			h.Set("Date", c.date)
		}
		if got, ok := netguard.RetryAfter(h, now); got != c.want || ok != c.ok {
			t.Errorf("%s: RetryAfter(%q) = %v, %v; want %v, %v", c.name, c.retryAfter, got, ok, c.want, c.ok)
		}
	}
}

// TestRefuseDowngrade refuses a redirect from https to http and lets every
// other redirect through.
func TestRefuseDowngrade(t *testing.T) {
	req := func(u string) *http.Request { return httptest.NewRequest(http.MethodGet, u, nil) }
	for _, c := range []struct {
		from, to string
		refused  bool
	}{
		{"https://shop.example.com/api/", "http://shop.example.com/api/", true},
		{"https://shop.example.com/api/", "http://other.example.com/api/", true},
		{"https://shop.example.com/api/", "https://www.shop.example.com/api/", false},
		{"http://shop.example.com/api/", "http://shop.example.com/v2/", false},
		{"http://shop.example.com/api/", "https://shop.example.com/api/", false},
	} {
		err := netguard.RefuseDowngrade("shop", req(c.to), []*http.Request{req(c.from)})
		if (err != nil) != c.refused {
			t.Errorf("%s -> %s: %v, want refused %v", c.from, c.to, err, c.refused)
		}
	}
}

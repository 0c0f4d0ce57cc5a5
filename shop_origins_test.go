package stockbell

import "testing"

// TestNormalizeOriginAsBrowsersSendIt: an origin is stored as a browser's
// Origin header carries it, so that it matches: a default port (443 for
// https, 80 for http) is never sent, and so is dropped.
func TestNormalizeOriginAsBrowsersSendIt(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Shop.Example.com/":     "https://shop.example.com",
		"https://shop.example.com:443":  "https://shop.example.com",
		"http://shop.example.com:80/":   "http://shop.example.com",
		"http://shop.example.com:443":   "http://shop.example.com:443",
		"https://shop.example.com:8443": "https://shop.example.com:8443",
		"http://localhost:3000":         "http://localhost:3000",
		"https://[::1]:443":             "https://[::1]",
		"https://[::1]:8443":            "https://[::1]:8443",
	} {
		got, err := NormalizeOrigin(raw)
		if err != nil || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

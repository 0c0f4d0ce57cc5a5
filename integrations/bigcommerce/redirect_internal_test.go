package bigcommerce

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestTokenStaysWithTheAPIHost: an API answer redirecting elsewhere (a
// compromised or misrouted answer) never carries the store's access token
// in X-Auth-Token to the other host; Go sends custom headers on to any
// host.
func TestTokenStaysWithTheAPIHost(t *testing.T) {
	var leaked string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("X-Auth-Token")
		w.Write([]byte(`{"data":{}}`))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	c := NewClient(api.URL, stockbell.SystemClock{}, slog.New(slog.DiscardHandler))
	var out struct{}
	c.do(context.Background(), call{store: "abc123", token: "secret-token", method: http.MethodGet, path: "/v2/store", tries: 1}, &out)
	if leaked != "" {
		t.Fatalf("the access token reached another host: %q", leaked)
	}
}

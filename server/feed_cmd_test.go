package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// TestShopAddNamesAnUnknownPlatform: a mistyped --platform is named as
// the unknown platform it is, with the two that are added here, rather
// than taken for a platform that installs from its app store.
func TestShopAddNamesAnUnknownPlatform(t *testing.T) {
	getenv := testEnv(t, nil)
	code, _, stderr := run(t, getenv, "shop", "add", "--platform", "fed", "--domain", "x.example", "--feed-url", "https://f.example/a.json")
	if code != 1 || !strings.Contains(stderr, `--platform: unknown platform "fed" (want feed or prestashop)`) || strings.Contains(stderr, "app store") {
		t.Errorf("shop add --platform fed: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, getenv, "shop", "add", "--platform", "shopify", "--domain", "x.example", "--feed-url", "https://f.example/a.json")
	if code != 1 || !strings.Contains(stderr, "only feed and prestashop shops are added here") || !strings.Contains(stderr, "app store") {
		t.Errorf("shop add --platform shopify: exit %d, stderr %q", code, stderr)
	}
}

// TestFeedSyncOfADisconnectedShopSaysHowToConnectIt: `feed sync` of a
// feed shop an operator disconnected reads nothing, exits 1 and says the
// shop is not installed and the command that connects it again, rather
// than reporting a failed sync.
func TestFeedSyncOfADisconnectedShopSaysHowToConnectIt(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":"A","inventory_quantity":0}]`))
	}))
	defer feed.Close()
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		if code, out, errOut := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", "left.example.com", "--feed-url", feed.URL+"/feed.json"); code != 0 {
			t.Fatalf("shop add: exit %d, %q %q", code, out, errOut)
		}
		if code, out, errOut := run(t, getenv, "shop", "disconnect", "--shop", "left.example.com"); code != 0 {
			t.Fatalf("shop disconnect: exit %d, %q %q", code, out, errOut)
		}
		code, stdout, stderr := run(t, getenv, "feed", "sync", "--shop", "left.example.com")
		if code != 1 || strings.Contains(stdout, "not applied") || !strings.Contains(stderr, "feed shop left.example.com is not installed") ||
			!strings.Contains(stderr, "shop add --platform feed --domain left.example.com --feed-url URL") {
			t.Errorf("feed sync of a disconnected shop: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// TestFeedCommandWarningsFollowTheLogFormat: the warnings of the commands
// that connect or sync a shop (a secret key with whitespace around it,
// here) are log records in the log format, as the server's are: with
// STOCKBELL_LOG_FORMAT=json every line on standard error is JSON.
func TestFeedCommandWarningsFollowTheLogFormat(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		env := func(name string) string {
			switch name {
			case "STOCKBELL_LOG_FORMAT":
				return "json"
			case "STOCKBELL_SECRET_KEY":
				return strings.Repeat("ab", 32) + "\n"
			}
			return getenv(name)
		}
		code, _, stderr := run(t, env, "feed", "sync", "--shop", "nowhere.example.com")
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || len(lines) < 2 || !strings.Contains(stderr, "STOCKBELL_SECRET_KEY") {
			t.Fatalf("feed sync: exit %d, want 1 with a warning and the error, stderr %q", code, stderr)
		}
		for _, line := range lines {
			if !strings.HasPrefix(line, `{"time":`) || !strings.HasSuffix(line, "}") {
				t.Errorf("a line not in JSON: %q", line)
			}
		}
	})
}

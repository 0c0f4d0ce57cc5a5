package magento_test

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// postThroughModule runs the module's Poster (testdata/post.php) against
// url and returns what it printed.
func postThroughModule(t *testing.T, url string) string {
	t.Helper()
	php := phpOrSkip(t)
	out, err := exec.Command(php, "testdata/post.php", url, "shop.example.com", "hush", "5445452d53", "3", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("php testdata/post.php: %v\n%s", err, out)
	}
	return string(out)
}

// TestModuleDoesNotQueueAPostTheStockbellURLCannotTake: a Stockbell URL
// naming another site (a path Stockbell does not serve, the store's own
// front) answers 404 or 410, which no re-send mends. The module does not
// queue such a post for two days of re-sends: it logs an error naming the
// address it posted to and what answered there, for the merchant to fix
// the URL setting. A transient answer (503) is still queued.
func TestModuleDoesNotQueueAPostTheStockbellURLCannotTake(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><body>Whoops, our bad...</body></html>"))
		}))
		out := postThroughModule(t, site.URL+"/stockbell")
		site.Close()
		endpoint := site.URL + "/stockbell/webhooks/magento"
		if strings.Contains(out, "queued") {
			t.Errorf("answered %d: the post was queued for re-sending\n%s", status, out)
		}
		if !strings.Contains(out, "log error") || !strings.Contains(out, endpoint+" answered "+strconv.Itoa(status)) ||
			!strings.Contains(out, "check the Stockbell URL") {
			t.Errorf("answered %d: the log does not name %s, its answer and the setting to check\n%s", status, endpoint, out)
		}
	}
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	if out := postThroughModule(t, busy.URL); !strings.Contains(out, "queued Stockbell answered 503") {
		t.Errorf("answered 503: the post was not queued\n%s", out)
	}
}

// TestModuleStopsResendingAPostTheStockbellURLCannotTake: a queued post
// (Stockbell was unreachable) whose re-send is answered as no re-send
// mends (testdata/retry.php wrong-url) leaves the queue at once instead of
// being re-sent 48 times.
func TestModuleStopsResendingAPostTheStockbellURLCannotTake(t *testing.T) {
	php := phpOrSkip(t)
	out, err := exec.Command(php, "testdata/retry.php", "wrong-url").CombinedOutput()
	if err != nil {
		t.Fatalf("php testdata/retry.php wrong-url: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "sent 2" {
		t.Errorf("the post was re-sent after an answer no re-send mends:\n%s\nwant only: sent 2", got)
	}
}

// TestModuleTakesOnlyStockbellsAnswerAsAnAcknowledgement: Stockbell
// answers a stored stock post 200 {"received":true,…}. A Stockbell URL
// naming a site that answers any POST with another 2xx (the store's own
// front, a catch-all page) would answer every re-send alike, so the post
// is not dropped silently, nor queued for two days: the module logs an
// error naming the address and what answered, as for a 404.
func TestModuleTakesOnlyStockbellsAnswerAsAnAcknowledgement(t *testing.T) {
	for _, c := range []struct {
		status      int
		contentType string
		body        string
	}{
		{http.StatusOK, "text/html", "<html><body>Welcome to our store</body></html>"},
		{http.StatusOK, "application/json", `{"ok":true}`},
		{http.StatusNoContent, "", ""},
		{http.StatusAccepted, "application/json", `{"received":false}`},
	} {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.contentType != "" {
				w.Header().Set("Content-Type", c.contentType)
			}
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		out := postThroughModule(t, site.URL)
		site.Close()
		endpoint := site.URL + "/webhooks/magento"
		if strings.Contains(out, "queued") {
			t.Errorf("answered %d %s: the post was queued for re-sending\n%s", c.status, c.body, out)
		}
		if !strings.Contains(out, "log error") || !strings.Contains(out, endpoint+" answered "+strconv.Itoa(c.status)) ||
			!strings.Contains(out, "check the Stockbell URL") {
			t.Errorf("answered %d %s: the log does not name %s, its answer and the setting to check\n%s", c.status, c.body, endpoint, out)
		}
	}
}

// TestModuleTellsWhereAStockbellURLRedirects: Magento's HTTP client does
// not follow redirects, so a Stockbell URL answered 301, 302, 307 or 308
// (http:// for an https server, a path Stockbell's proxy moves) would
// answer every re-send alike. The post is not queued; the module logs an
// error naming where the answer points and the Stockbell URL to set.
func TestModuleTellsWhereAStockbellURLRedirects(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://stockbell.example.com/webhooks/magento", status)
		}))
		out := postThroughModule(t, site.URL)
		site.Close()
		endpoint := site.URL + "/webhooks/magento"
		if strings.Contains(out, "queued") {
			t.Errorf("answered %d: the post was queued for re-sending\n%s", status, out)
		}
		want := endpoint + " answered " + strconv.Itoa(status) + ", a redirect to https://stockbell.example.com/webhooks/magento"
		if !strings.Contains(out, "log error") || !strings.Contains(out, want) ||
			!strings.Contains(out, "set the Stockbell URL to https://stockbell.example.com") {
			t.Errorf("answered %d: the log does not name where the URL redirects and the URL to set\n%s\nwant %q", status, out, want)
		}
	}
	// A redirect by path (a proxy serving Stockbell under /stockbell) is
	// named in full.
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/stockbell/webhooks/magento")
		w.WriteHeader(http.StatusMovedPermanently)
	}))
	defer moved.Close()
	if out := postThroughModule(t, moved.URL); !strings.Contains(out, "set the Stockbell URL to "+moved.URL+"/stockbell") {
		t.Errorf("a redirect by path: the log does not name the Stockbell URL to set, %s/stockbell\n%s", moved.URL, out)
	}
	// A Location without a scheme (//host/path), or relative to the path
	// posted to, is named as the absolute address it means.
	for location, want := range map[string]string{
		"//stockbell.example.com/webhooks/magento": "a redirect to http://stockbell.example.com/webhooks/magento, which Magento does not follow: set the Stockbell URL to http://stockbell.example.com",
		"magento":                 "a redirect to " + moved.URL + "/stockbell/webhooks/magento, which Magento does not follow: set the Stockbell URL to " + moved.URL + "/stockbell",
		"../app/webhooks/magento": "a redirect to " + moved.URL + "/stockbell/app/webhooks/magento, which Magento does not follow: set the Stockbell URL to " + moved.URL + "/stockbell/app",
	} {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Location"] = []string{location} // as written, not made absolute as http.Redirect does
			w.WriteHeader(http.StatusMovedPermanently)
		}))
		want = strings.ReplaceAll(want, moved.URL, site.URL)
		out := postThroughModule(t, site.URL+"/stockbell")
		site.Close()
		if !strings.Contains(out, want) {
			t.Errorf("a redirect to %q: the log reads\n%s\nwant %q", location, out, want)
		}
	}
}

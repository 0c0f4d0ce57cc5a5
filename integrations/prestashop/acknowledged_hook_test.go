package prestashop_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// hookLogAt runs the module's quantity hook once with the Stockbell URL
// set to url, its real client posting there (testdata/stock_hook.php with
// STOCKBELL_TEST_STOCKBELL_URL), and returns what the module logged.
func hookLogAt(t *testing.T, url string) string {
	t.Helper()
	requirePHP(t)
	cmd := exec.Command("php", "testdata/stock_hook.php", "https://shop.example/", "secret", "1772366400", "-", "1", "11", "0")
	cmd.Env = append(os.Environ(), "STOCKBELL_TEST_STOCKBELL_URL="+url)
	var logged strings.Builder
	cmd.Stderr = &logged
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("php testdata/stock_hook.php: %v\n%s%s", err, out, logged.String())
	}
	return logged.String()
}

// answering serves every request with status, contentType and body.
func answering(t *testing.T, status int, contentType, body string) *httptest.Server {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(site.Close)
	return site
}

// TestStockHookTakesOnlyStockbellsAnswerAsDelivered: Stockbell answers a
// stored stock post 200 {"received":true,…}, also for a post it already
// had ("duplicate":true). A Stockbell URL naming a site that answers any
// POST with a 2xx (the shop's own front, a catch-all page) must not pass
// for Stockbell: the module logs the address posted to, what answered and
// the setting to check, as for a 404. Stockbell's answer logs nothing.
func TestStockHookTakesOnlyStockbellsAnswerAsDelivered(t *testing.T) {
	for _, c := range []struct {
		status      int
		contentType string
		body        string
	}{
		{http.StatusOK, "text/html", "<html><body>Bienvenue dans notre boutique</body></html>"},
		{http.StatusOK, "application/json", `{"ok":true}`},
		{http.StatusNoContent, "", ""},
		{http.StatusAccepted, "application/json", `{"received":false}`},
	} {
		site := answering(t, c.status, c.contentType, c.body)
		logged := hookLogAt(t, site.URL)
		want := "Stockbell: stock post refused: " + site.URL + "/webhooks/prestashop answered " + strconv.Itoa(c.status) +
			` but not as Stockbell acknowledges a stock post (200 {"received":true}): check the Stockbell URL`
		if !strings.Contains(logged, want) || strings.Contains(logged, "<") {
			t.Errorf("answered %d %s: the module logged\n%s\nwant %q", c.status, c.body, logged, want)
		}
	}
	for _, body := range []string{`{"received":true,"duplicate":false}`, `{"received":true,"duplicate":true}`} {
		if logged := hookLogAt(t, answering(t, http.StatusOK, "application/json", body).URL); logged != "" {
			t.Errorf("Stockbell answered 200 %s: the module logged\n%s", body, logged)
		}
	}
}

// TestStockHookTellsWhereAStockbellURLRedirects: the module's client does
// not follow redirects (a POST redirected may arrive as a GET, or not at
// all), so a Stockbell URL answered 301, 302, 307 or 308 (http:// for an
// https server, a path a proxy moves) loses every post. The log names the
// Location the server answered with and, when that is Stockbell's
// /webhooks/prestashop, the Stockbell URL to set.
func TestStockHookTellsWhereAStockbellURLRedirects(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://stockbell.example.com/webhooks/prestashop", status)
		}))
		t.Cleanup(site.Close)
		logged := hookLogAt(t, site.URL)
		want := "Stockbell: stock post refused: " + site.URL + "/webhooks/prestashop answered " + strconv.Itoa(status) +
			", a redirect to https://stockbell.example.com/webhooks/prestashop, which the module does not follow:" +
			" set the Stockbell URL to https://stockbell.example.com"
		if !strings.Contains(logged, want) {
			t.Errorf("answered %d: the module logged\n%s\nwant %q", status, logged, want)
		}
	}
	// A redirect by path (a proxy serving Stockbell under /stockbell) is
	// named in full; one elsewhere is named, with the setting to check.
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/stockbell/webhooks/prestashop")
		w.WriteHeader(http.StatusMovedPermanently)
	}))
	t.Cleanup(moved.Close)
	if logged := hookLogAt(t, moved.URL); !strings.Contains(logged, "a redirect to "+moved.URL+"/stockbell/webhooks/prestashop,") ||
		!strings.Contains(logged, "set the Stockbell URL to "+moved.URL+"/stockbell") {
		t.Errorf("a redirect by path: the module logged\n%s\nwant the Stockbell URL to set, %s/stockbell", logged, moved.URL)
	}
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://shop.example/login?back=stockbell", http.StatusFound)
	}))
	t.Cleanup(login.Close)
	if logged := hookLogAt(t, login.URL); !strings.Contains(logged, "a redirect to https://shop.example/login?back=stockbell, which the module does not follow: check the Stockbell URL") {
		t.Errorf("a redirect elsewhere: the module logged\n%s", logged)
	}
}

// TestConnectionTestTakesOnlyStockbellsAnswer: the configuration page's
// Test the connection says Stockbell accepted the post only on Stockbell's
// own answer; a site answering 200 to anything, or a redirect, is named
// with what to set.
func TestConnectionTestTakesOnlyStockbellsAnswer(t *testing.T) {
	requirePHP(t)
	test := func(url string) string {
		out, err := exec.Command("php", "testdata/config_page.php", "https://shop.example/", url, "secret", "test").Output()
		if err != nil {
			t.Fatalf("php testdata/config_page.php: %v\n%s", err, out)
		}
		return string(out)
	}
	front := answering(t, http.StatusOK, "text/html", "<html><body>Bienvenue</body></html>")
	if page := test(front.URL); strings.Contains(page, "accepted") || !strings.Contains(page, "answered 200 but not as Stockbell acknowledges a stock post") {
		t.Errorf("a site answering 200: the page says %s", page)
	}
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://stockbell.example.com/webhooks/prestashop", http.StatusMovedPermanently)
	}))
	t.Cleanup(moved.Close)
	if page := test(moved.URL); !strings.Contains(page, "set the Stockbell URL to https://stockbell.example.com") {
		t.Errorf("a redirect: the page says %s", page)
	}
	connectMoved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://stockbell.example.com"+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(connectMoved.Close)
	out, err := exec.Command("php", "testdata/config_page.php", "https://shop.example/", connectMoved.URL, "", "connect", "KEY").Output()
	if err != nil {
		t.Fatalf("php testdata/config_page.php connect: %v\n%s", err, out)
	}
	if want := connectMoved.URL + "/auth/prestashop/connect answered 301, a redirect to https://stockbell.example.com/auth/prestashop/connect," +
		" which the module does not follow: set the Stockbell URL to https://stockbell.example.com."; !strings.Contains(string(out), want) {
		t.Errorf("a redirect of the connect call: the page says %s\nwant %q", out, want)
	}
	stockbellAnswer := answering(t, http.StatusOK, "application/json", `{"received":true,"duplicate":true}`)
	if page := test(stockbellAnswer.URL); !strings.Contains(page, "Stockbell accepted a signed post") {
		t.Errorf("Stockbell's answer to a post it already had: the page says %s", page)
	}
}

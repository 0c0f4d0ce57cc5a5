package prestashop_test

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// hookAttempts runs the module's quantity hook calls times in one request
// (an order of that many lines), its client answering each post with
// status, and returns how many posts the module attempted.
func hookAttempts(t *testing.T, calls, status int) int {
	t.Helper()
	requirePHP(t)
	out, err := exec.Command("php", "testdata/stock_hook.php", "https://shop.example/", "secret", "1772366400", "-", "1", "11", "0",
		strconv.Itoa(calls), strconv.Itoa(status)).Output()
	if err != nil {
		t.Fatalf("php testdata/stock_hook.php: %v\n%s", err, out)
	}
	var posts []hookPost
	if err := json.Unmarshal(out, &posts); err != nil {
		t.Fatalf("the hook printed %s: %v", out, err)
	}
	return len(posts)
}

// TestStockHookStopsPostingWhenStockbellIsUnreachable: the module posts
// from the shop's own request (a checkout, a back-office save, an
// import), waiting up to 5 seconds a post. Once a post cannot reach
// Stockbell, the rest of the request posts nothing, so an outage of
// Stockbell delays an order of many lines by one wait rather than one per
// line; the changes are read again by Stockbell (reconciliation, catalog
// sync), as a failed post's is. A post Stockbell answers, even with a
// refusal, does not stop the others: each is its own answer.
func TestStockHookStopsPostingWhenStockbellIsUnreachable(t *testing.T) {
	for _, c := range []struct{ status, want int }{{0, 1}, {200, 5}, {401, 5}} {
		if got := hookAttempts(t, 5, c.status); got != c.want {
			t.Errorf("five stock changes, each post answered %d: the module attempted %d posts, want %d", c.status, got, c.want)
		}
	}
}

// hookLog runs the module's quantity hook once, its post answered with
// status, and returns what the module logged.
func hookLog(t *testing.T, status int) string {
	t.Helper()
	requirePHP(t)
	cmd := exec.Command("php", "testdata/stock_hook.php", "https://shop.example/", "secret", "1772366400", "-", "1", "11", "0",
		"1", strconv.Itoa(status))
	var logged strings.Builder
	cmd.Stderr = &logged
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("php testdata/stock_hook.php: %v\n%s%s", err, out, logged.String())
	}
	return logged.String()
}

// TestStockHookLogsARefusalInWordsTheMerchantReads: a refused post is
// logged in the shop's Logs with StockbellClient::explain's words, as the
// configuration page's test says them: Stockbell's own message, not its
// raw JSON; for an answer that is not Stockbell's (the Stockbell URL names
// another site), the address posted to, what answered and the setting to
// check, not the page's HTML.
func TestStockHookLogsARefusalInWordsTheMerchantReads(t *testing.T) {
	refused := hookLog(t, 401)
	if want := "Stockbell: stock post refused: Stockbell answered 401: The X-Stockbell-Signature header does not match the body and the shop's module secret."; !strings.Contains(refused, want) || strings.Contains(refused, "{") {
		t.Errorf("a post Stockbell refused is logged as\n%s\nwant %q", refused, want)
	}
	elsewhere := hookLog(t, 404)
	if want := "Stockbell: stock post refused: https://app.example/webhooks/prestashop answered 404, which is not an answer of Stockbell: check the Stockbell URL"; !strings.Contains(elsewhere, want) || strings.Contains(elsewhere, "<") {
		t.Errorf("a post another site answered is logged as\n%s\nwant %q", elsewhere, want)
	}
}

// TestStockHookLogsAnUnreachableStockbellInWordsTheMerchantReads: a post
// that does not reach Stockbell is logged with StockbellClient::explain's
// words, as a refusal is: the address posted to and why it was not
// reached, then that the request's other stock changes are not posted.
func TestStockHookLogsAnUnreachableStockbellInWordsTheMerchantReads(t *testing.T) {
	logged := hookLog(t, 0)
	want := "Stockbell: stock post not sent: Stockbell could not be reached at https://app.example/webhooks/prestashop: " +
		"Connection timed out after 3001 milliseconds; the other stock changes of this request are not posted"
	if !strings.Contains(logged, want) {
		t.Errorf("a post that did not reach Stockbell is logged as\n%s\nwant %q", logged, want)
	}
}

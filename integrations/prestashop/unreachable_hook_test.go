package prestashop_test

import (
	"encoding/json"
	"os/exec"
	"strconv"
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

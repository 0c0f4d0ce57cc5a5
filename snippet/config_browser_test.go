package snippet

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A theme developer's configuration as docs/snippet.md describes it.

// themePage serves one page of a theme's own: head goes after the event
// recorder, body holds the products; /theme.js answers with script.
func themePage(t testing.TB, head, body, script string) string {
	t.Helper()
	theme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/theme.js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, script)
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}));</script>`+
			head+`</head><body>`+body+`</body></html>`)
	}))
	t.Cleanup(theme.Close)
	return theme.URL + "/"
}

const soldOutProduct = `<div class="product" data-stockbell-variant="PULL-ROUGE-M" data-stockbell-available="false">` +
	`<button id="buy" type="button" disabled>Sold out</button><span id="tail"></span></div>`

// Every option may be given later with Stockbell.configure, the shop's key
// too: a theme that knows it only in its own script, run after the
// snippet's, gets its button once the server has said yes to that shop.
func TestShopConfiguredAfterTheScriptRanGetsItsButton(t *testing.T) {
	s := newStorefront(t, "")
	url := themePage(t, `<script src="`+s.app.URL+`/snippet.js" defer></script><script src="/theme.js" defer></script>`,
		soldOutProduct, `Stockbell.configure({shop: "shop-key-123"});`)
	ctx := newBrowser(t)
	open(t, ctx, url)
	waitFor(t, ctx, `!!button() && shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	// The fake app answers CORS for its own shop's origin only: the post
	// reaches it, and the page reads no answer.
	waitFor(t, ctx, `stockbellEvents.length > 1`)
	if got := s.posts()[0].Body; !strings.Contains(got, `"shop":"shop-key-123"`) {
		t.Errorf("posted %s, want the configured shop", got)
	}
}

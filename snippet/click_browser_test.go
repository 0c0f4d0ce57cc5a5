package snippet

import (
	"context"
	"testing"
	"time"
)

// countClickReports makes every page the tab opens count the snippet's
// requests to the clicks route as it sends them (window.clickReports),
// so that a page can be seen to send none.
func countClickReports(t *testing.T, ctx context.Context) {
	t.Helper()
	beforeScripts(t, ctx, `window.clickReports = 0; const sent = window.fetch;
		window.fetch = function (url, init) { if (String(url).endsWith("/clicks")) window.clickReports++; return sent.apply(this, arguments); };`)
}

// waitReceived waits until the app has received n of the requests that
// received lists (s.clicks, s.posts), failing after 10 s.
func waitReceived(t *testing.T, received func() []request, n int) []request {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got := received(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("requests received: %+v, want %d", received(), n)
	return nil
}

// TestLandingFromAnEmailReportsItsClick: the page of a restocked variant
// (in stock: no button, no form files) reached from an email's link
// reports the link's click id once, as a simple CORS request from the
// shop's page, and keeps it in its address for the shop's own analytics.
// A page without one, or a data-api without a clicks sibling, sends nothing.
func TestLandingFromAnEmailReportsItsClick(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	countClickReports(t, ctx)
	landing := s.shop.URL + "/products/tee?variant=" + inStock + "&utm_source=stockbell&utm_medium=email&utm_campaign=back_in_stock&sb_click=AbC-_9xyz"
	open(t, ctx, landing)
	if eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("a button shows on the restocked variant")
	}
	clicks := waitReceived(t, s.clicks, 1)
	c := clicks[0]
	if c.Method != "POST" || c.ContentType != "text/plain" || c.Origin != s.shop.URL {
		t.Errorf("click report %s %q from %q", c.Method, c.ContentType, c.Origin)
	}
	wantJSON(t, c.Body, map[string]any{"shop": "test-shop.myshopify.com", "code": "AbC-_9xyz"})
	if got := eval[string](t, ctx, `new URLSearchParams(location.search).get("sb_click")`); got != "AbC-_9xyz" {
		t.Errorf("the address lost its click id: sb_click=%q", got)
	}
	selectVariant(t, ctx, soldOut) // the theme rewrites the address; the button shows
	waitFor(t, ctx, `shown(button())`)
	if n := eval[int](t, ctx, `window.clickReports`); n != 1 {
		t.Errorf("the page sent %d click reports, want 1", n)
	}

	open(t, ctx, s.shop.URL+"/products/tee?variant="+inStock+"&utm_source=stockbell")
	if n := eval[int](t, ctx, `window.clickReports`); n != 0 {
		t.Errorf("a page without sb_click sent %d click reports", n)
	}

	proxied := newStorefront(t, `data-api="`+"http://127.0.0.1:1/apps/stockbell/subscribe"+`"`)
	open(t, ctx, proxied.shop.URL+"/products/tee?variant="+inStock+"&sb_click=AbC-_9xyz")
	if n := eval[int](t, ctx, `window.clickReports`); n != 0 {
		t.Errorf("a data-api not ending in subscriptions was sent %d click reports", n)
	}
	if n := len(s.clicks()) + len(proxied.clicks()); n != 1 {
		t.Errorf("%d click reports reached the apps, want the first page's 1", n)
	}
}

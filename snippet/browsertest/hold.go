package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// HoldRequests has the tab hold every request to a URL matching pattern
// (Chromium's request interception, before the request is sent) and
// reports each held request's id, for the test to let go with LetGo. A
// request held this way is still on its way whatever the test does
// meanwhile (the shopper leaving the page, say), however fast a loopback
// server would have answered it.
func HoldRequests(t testing.TB, ctx context.Context, pattern string) <-chan fetch.RequestID {
	t.Helper()
	held := make(chan fetch.RequestID, 8)
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			held <- ev.RequestID
		}
	}()
	Do(t, ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}})
		return err
	}))
	return held
}

// LetGo sends a request HoldRequests held. A request cancelled with its
// page is no longer held: there is nothing to let go, and the test's own
// check (the server never got it) then fails.
func LetGo(t testing.TB, ctx context.Context, id fetch.RequestID) {
	t.Helper()
	Do(t, ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
			t.Logf("the held request went with its page: %v", err)
		}
		return nil
	}))
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// downloads lets the tab's browser download files, and returns a function
// that waits for the next download to complete and returns its content. A
// download started in a frame of another site (the Shopify admin's, a
// BigCommerce control panel's) is the browser's as well, so it is caught
// here.
func downloads(t *testing.T, ctx context.Context) func() string {
	t.Helper()
	dir, eventsOn := t.TempDir(), true
	done := make(chan string, 4)
	chromedp.ListenBrowser(ctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			done <- p.GUID
		}
	})
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName,
			DownloadPath: dir, EventsEnabled: &eventsOn, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		return err
	}))
	return func() string {
		t.Helper()
		select {
		case guid := <-done:
			content, err := os.ReadFile(filepath.Join(dir, guid))
			noErr(t, err)
			return string(content)
		case <-time.After(serverWait):
			t.Fatal("nothing downloaded")
			return ""
		}
	}
}

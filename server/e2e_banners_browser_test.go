package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBannersKeepTheirDistanceInChromium: the banner a form's answer
// shows above the page (a new API key to copy, a refused setting) stands
// apart from the card under it, at a phone's and a desktop's width.
func TestBannersKeepTheirDistanceInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	base := m.URL()
	browse(t, ctx, base+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "table")
	for _, width := range []int64{390, 1280} {
		browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 844))

		browse(t, ctx, base+"/admin/api-keys", "#name")
		browsertest.Do(t, ctx, chromedp.SendKeys("#name", fmt.Sprintf("ERP %d", width)+kb.Enter), chromedp.WaitVisible("[data-new-key]"))
		noTouchingBoxes(t, ctx, fmt.Sprintf("API keys with a new key at %d px", width))

		browse(t, ctx, base+"/admin/settings", "#min_inventory")
		browsertest.Do(t, ctx, chromedp.SetValue("#min_inventory", "0"), chromedp.Submit("#min_inventory"), chromedp.WaitVisible(".banner.error"))
		noTouchingBoxes(t, ctx, fmt.Sprintf("Settings with a refused value at %d px", width))
	}
}

// noTouchingBoxes fails the test for each two framed boxes of the page
// that sit one right under the other (touchingBoxes).
func noTouchingBoxes(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, pair := range browsertest.Eval[[]string](t, ctx, touchingBoxes) {
		t.Errorf("%s: boxes one above the other with no space between them: %s", page, pair)
	}
}

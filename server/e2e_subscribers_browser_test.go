package main

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestSubscribersFitAPhoneInChromium: at 390 px the subscribers table,
// long email address and all, fits its frame: each subscriber's status is
// in sight without scrolling the table sideways.
func TestSubscribersFitAPhoneInChromium(t *testing.T) {
	m, ctx, _, _ := openDemoFlowPage(t)
	waitingSubscriber(t, m)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(390, 900))
	browse(t, ctx, m.URL()+"/admin/subscribers", "main table")
	widths := browsertest.Eval[[]float64](t, ctx, `(() => {
		const wrap = document.querySelector("main .table-wrap");
		return [wrap.scrollWidth, wrap.clientWidth];
	})()`)
	if widths[0] > widths[1] {
		t.Errorf("the subscribers table is %v px wide in a frame of %v px", widths[0], widths[1])
	}
}

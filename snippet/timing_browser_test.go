package snippet

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// bareScript is the baseline for BenchmarkTimeToButton: the least a button
// script can do. It inserts a plain button after the product once the page
// is parsed (on Shopify after reading the product JSON, which the snippet
// cannot skip either) and fires stockbell:ready.
const bareScript = `(() => {
	const show = () => {
		const b = document.createElement("button");
		b.textContent = "Notify me when available";
		(document.querySelector("[data-stockbell-variant]") || document.querySelector('form[action*="/cart/add"]')).after(b);
		document.dispatchEvent(new CustomEvent("stockbell:ready"));
	};
	const go = () => window.Shopify
		? fetch(Shopify.routes.root + "products/" + location.pathname.split("/").pop() + ".js").then((r) => r.json()).then(show)
		: show();
	document.readyState == "loading" ? document.addEventListener("DOMContentLoaded", go) : go();
})();`

func serveBareScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write([]byte(bareScript))
}

// coldBrowser is a browser whose cache is off, so every page view fetches
// every file, as a shopper's first visit does. Its page behaves as focused,
// so that focus events fire without real input.
func coldBrowser(b *testing.B) context.Context {
	ctx := newBrowser(b)
	do(b, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tgt, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tgt, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tgt, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
	beforeScripts(b, ctx, `document.addEventListener("stockbell:ready", () => (window.readyAt = performance.now()));`)
	return ctx
}

// BenchmarkTimeToButton loads a product page with a sold-out variant in
// headless Chromium, cache off, and reports the time from the script's last
// byte (ms-after-script) and from its request (ms-after-request) to the
// button on the page (stockbell:ready, fired once the button is shown).
// The "bare" runs serve the baseline script instead of the snippet.
func BenchmarkTimeToButton(b *testing.B) {
	pages := []struct{ name, path string }{
		{"data-attributes", "/pages/custom"},
		{"shopify", "/products/tee?variant=" + soldOut},
	}
	scripts := []struct {
		name string
		h    http.Handler
	}{
		{"stockbell", mustBuild(b).Handler()},
		{"bare", http.HandlerFunc(serveBareScript)},
	}
	for _, p := range pages {
		for _, script := range scripts {
			b.Run(p.name+"/"+script.name, func(b *testing.B) {
				s := newStorefrontServing(b, "", script.h)
				ctx := coldBrowser(b)
				var afterScript, afterRequest float64
				for b.Loop() {
					do(b, ctx, chromedp.Navigate(s.shop.URL+p.path))
					waitFor(b, ctx, `window.readyAt`)
					got := eval[[2]float64](b, ctx, `(() => {
						const e = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/snippet.js"));
						return [readyAt - e.responseEnd, readyAt - e.startTime]; })()`)
					afterScript += got[0]
					afterRequest += got[1]
				}
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(afterScript/float64(b.N), "ms-after-script")
				b.ReportMetric(afterRequest/float64(b.N), "ms-after-request")
			})
		}
	}
}

// BenchmarkTimeToForm reports the time from a click on the button to the
// form's first field focused on a page that never went idle, cache off:
// "first" imports the form and the page's language on that click (the
// cost of loading them lazily), "again" reopens it with both in memory (the
// baseline, what a shopper gets once the idle browser has loaded them).
func BenchmarkTimeToForm(b *testing.B) {
	s := newStorefront(b, "")
	ctx := coldBrowser(b)
	neverIdle(b, ctx)
	const clickToFocus = `new Promise((resolve) => {
		const t0 = performance.now();
		document.addEventListener("focusin", function f(e) {
			if (e.target.localName != "stockbell-dialog") return;
			document.removeEventListener("focusin", f);
			resolve(performance.now() - t0);
		});
		button().click();
	})`
	var first, again float64
	for b.Loop() {
		do(b, ctx, chromedp.Navigate(s.shop.URL+"/products/tee?variant="+soldOut))
		waitFor(b, ctx, `window.readyAt`)
		first += eval[float64](b, ctx, clickToFocus)
		eval[chromedp.Void](b, ctx, `dialog().close()`)
		again += eval[float64](b, ctx, clickToFocus)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(first/float64(b.N), "ms-first-open")
	b.ReportMetric(again/float64(b.N), "ms-reopen")
}

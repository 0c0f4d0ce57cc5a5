package snippet

import (
	"context"
	"net/http"
	"slices"
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

// median returns the middle of the values (the mean of the two middle ones
// for an even count).
func median(values []float64) float64 {
	v := slices.Clone(values)
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
}

// timeToButton loads url and returns the time from the last byte of
// /snippet.js, and from its request, to stockbell:ready (fired once the
// button is shown).
func timeToButton(b *testing.B, ctx context.Context, url string) (afterScript, afterRequest float64) {
	do(b, ctx, chromedp.Navigate(url))
	waitFor(b, ctx, `window.readyAt`)
	got := eval[[2]float64](b, ctx, `(() => {
		const e = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/snippet.js"));
		return [readyAt - e.responseEnd, readyAt - e.startTime]; })()`)
	return got[0], got[1]
}

// BenchmarkTimeToButton loads a product page with a sold-out variant in
// headless Chromium, cache off, alternately with the snippet and with the
// bare baseline script (each iteration loads both, so both see the same
// machine), and reports medians: the time from the script's last byte to
// the button on the page (ms-script-to-button, and -bare), the ratio of the
// two (x-bare), and the time from the script's request (ms-request-to-button).
func BenchmarkTimeToButton(b *testing.B) {
	pages := []struct{ name, path string }{
		{"data-attributes", "/pages/custom"},
		{"shopify", "/products/tee?variant=" + soldOut},
	}
	snippet := mustBuild(b).Handler()
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			ours := newStorefrontServing(b, "", snippet)
			bare := newStorefrontServing(b, "", http.HandlerFunc(serveBareScript))
			ctx := coldBrowser(b)
			var script, request, bareScript, bareRequest []float64
			for b.Loop() {
				s, r := timeToButton(b, ctx, ours.shop.URL+p.path)
				script, request = append(script, s), append(request, r)
				s, r = timeToButton(b, ctx, bare.shop.URL+p.path)
				bareScript, bareRequest = append(bareScript, s), append(bareRequest, r)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(median(script), "ms-script-to-button")
			b.ReportMetric(median(bareScript), "ms-script-to-button-bare")
			b.ReportMetric(median(script)/median(bareScript), "x-bare")
			b.ReportMetric(median(request), "ms-request-to-button")
			b.ReportMetric(median(bareRequest), "ms-request-to-button-bare")
		})
	}
}

// BenchmarkTimeToForm reports medians of the time from a click on the
// button to the form's first field focused, on a page that never went idle,
// cache off: ms-first-open imports the form and the page's language on that
// click (the cost of loading them lazily), ms-reopen opens it again with
// both in memory (the baseline, what a shopper gets once the idle browser
// has loaded them).
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
	var first, again []float64
	for b.Loop() {
		do(b, ctx, chromedp.Navigate(s.shop.URL+"/products/tee?variant="+soldOut))
		waitFor(b, ctx, `window.readyAt`)
		first = append(first, eval[float64](b, ctx, clickToFocus))
		eval[chromedp.Void](b, ctx, `dialog().close()`)
		again = append(again, eval[float64](b, ctx, clickToFocus))
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(first), "ms-first-open")
	b.ReportMetric(median(again), "ms-reopen")
}

package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestDemoStockFitsAPhone: on a 360 px phone, the demo shop's Products
// page as a newcomer first opens it (size M sold out) shows each table
// whole, the Simulate restock and Sell out buttons included, with no
// scrolling inside its box, and each units field is named after its
// variant as its row is; the notice after a restock links to the Outbox.
func TestDemoStockFitsAPhone(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 900))
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	if !browsertest.Eval[bool](t, ctx, `[...document.querySelectorAll("main table .badge")].some((b) => b.textContent == "sold out")`) {
		t.Fatal("the demo stock shows no sold-out variant")
	}
	wide := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("main .table-wrap")]
		.filter((w) => w.scrollWidth > w.clientWidth + 1)
		.map((w) => (w.getAttribute("aria-label") || w.getAttribute("aria-labelledby")) + ": " + w.scrollWidth + " px in " + w.clientWidth)`)
	for _, table := range wide {
		t.Errorf("at 360 px a table scrolls inside its box: %s", table)
	}
	// Each units field is named after its variant as the row names it: a
	// product without options is its title alone, never "Default Title".
	labels := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("main input.units")].map((i) => i.labels[0].textContent)`)
	for _, label := range labels {
		if label == "Units to restock for Canvas Tote Default Title" || !strings.HasPrefix(label, "Units to restock for ") {
			t.Errorf("a units field is labelled %q", label)
		}
	}
	if !slices.Contains(labels, "Units to restock for Canvas Tote") {
		t.Errorf("no units field is labelled for the Canvas Tote alone: %q", labels)
	}
	// The notice after a restock links on to the Outbox, readable on its
	// green as the rest of the page.
	clickAndWait(t, ctx, `form:has(input[name=units]) button[value=restock]`, ".banner.ok a[href='/admin/outbox']")
	for _, low := range browsertest.Eval[[]string](t, ctx, contrastCheck) {
		t.Errorf("after a restock at 360 px: contrast below WCAG 2.2 AA: %s", low)
	}
	if t.Failed() {
		fullScreenshot(t, ctx, "demo-stock-360px", 360)
	}
}

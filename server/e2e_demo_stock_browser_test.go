package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
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
	// The notice after a restock of a variant a shopper waits for links on
	// to the Outbox, readable on its green as the rest of the page.
	subscribeToSizeM(t, m, "ann@example.com")
	_, sizeM := demoSizeM(t, m)
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID),
		".banner.ok a[href='/admin/outbox']")
	for _, low := range browsertest.Eval[[]string](t, ctx, contrastCheck) {
		t.Errorf("after a restock at 360 px: contrast below WCAG 2.2 AA: %s", low)
	}
	if t.Failed() {
		fullScreenshot(t, ctx, "demo-stock-360px", 360)
	}
}

// TestDemoRestockPageShowsTheNewStock: the page a newcomer sees after
// pressing Simulate restock on the sold-out size M never shows it still
// sold out under "Restock received" without saying that the change is
// still on its way: it shows the restocked units, or says to reload.
func TestDemoRestockPageShowsTheNewStock(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	const row = `[...document.querySelectorAll("#demo-stock-heading ~ .table-wrap tbody tr")].find((r) => r.querySelector("th").textContent == "Alpine Wool Sweater – M")`
	if got := browsertest.Eval[string](t, ctx, row+`.querySelector("td").textContent.trim()`); got != "0 sold out" {
		t.Fatalf("size M's stock before the restock reads %q", got)
	}
	subscribeToSizeM(t, m, "ann@example.com")
	_, variant := demoSizeM(t, m)
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, variant.ID), ".banner.ok")
	notice, stock := text(t, ctx, ".banner.ok"), browsertest.Eval[string](t, ctx, row+`.querySelector("td").textContent.trim()`)
	switch {
	case stock == "5" && strings.HasPrefix(notice, "Restock received: the alerts go out within seconds."):
	case stock == "0 sold out" && strings.Contains(notice, "still being processed") && strings.Contains(notice, "reload"):
	default:
		t.Errorf("after restocking 5 units of size M the page shows its stock as %q under the notice %q", stock, notice)
	}
}

// TestWideTablesFitAPhone: on a phone, with the newcomer's own sign-up
// waiting for size M, the Products page they reach at step 2 of the start
// page, the Reports page's reorder advice and its chart's day-by-day table
// (opened "as a table") show every column of their table within the
// page's width, each value under its column's name, rather than clipping
// the columns after the first few ("Last resto…") in a box to scroll
// sideways. At a desktop's width the tables keep their headings row.
func TestWideTablesFitAPhone(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	subscribeToDemo(t, m, "newcomer@example.com")
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	tables := []struct{ page, wrap string }{
		{"/admin/products", `[aria-label="Products in demand"]`},
		{"/admin/reports", `[aria-labelledby="reorder-heading"].table-wrap`},
		{"/admin/reports", `.chart-table .table-wrap`},
	}
	for _, table := range tables {
		wrap := fmt.Sprintf("document.querySelector(%q)", table.wrap)
		var want []string // the headings but the first, read at a desktop's width
		browsertest.Do(t, ctx, chromedp.EmulateViewport(1280, 900))
		browseTable(t, ctx, m.URL()+table.page, table.wrap)
		if !browsertest.Eval[bool](t, ctx, wrap+`.querySelector("thead").checkVisibility()`) {
			t.Errorf("at 1280 px %s hides its table's headings row", table.page)
		}
		for _, th := range browsertest.Eval[[]string](t, ctx, `[...`+wrap+`.querySelectorAll("thead th")].slice(1).map((th) => th.textContent)`) {
			want = append(want, fmt.Sprintf("%q", th))
		}
		for _, width := range []int64{390, 360} {
			browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900))
			browseTable(t, ctx, m.URL()+table.page, table.wrap)
			if browsertest.Eval[bool](t, ctx, wrap+`.scrollWidth > `+wrap+`.clientWidth + 1`) {
				t.Errorf("at %d px the table on %s scrolls inside its box: %v px in %v", width, table.page,
					browsertest.Eval[float64](t, ctx, wrap+`.scrollWidth`), browsertest.Eval[float64](t, ctx, wrap+`.clientWidth`))
			}
			got := browsertest.Eval[[]string](t, ctx, `[...`+wrap+`.querySelector("tbody tr").querySelectorAll("td")].map((td) => getComputedStyle(td, "::before").content)`)
			if !slices.Equal(got, want) {
				t.Errorf("at %d px the values of a row on %s are named %q, want %q", width, table.page, got, want)
			}
		}
	}
}

// browseTable loads a page and waits for the table in wrap, opening the
// chart's table ("… as a table") first where the page has one.
func browseTable(t *testing.T, ctx context.Context, url, wrap string) {
	t.Helper()
	browse(t, ctx, url, "main")
	browsertest.Eval[bool](t, ctx, `(() => { document.querySelectorAll("details.chart-table").forEach((d) => (d.open = true)); return true; })()`)
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(wrap+" tbody tr")))
}

// demoSizeM returns the demo shop and its variant the start page walks
// through, size M of the sweater.
func demoSizeM(t *testing.T, m *Main) (*stockbell.Shop, *stockbell.VariantWithProduct) {
	t.Helper()
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	variant, err := m.DB.FindVariant(context.Background(), shop.ID, demo.FeaturedVariant)
	if err != nil {
		t.Fatal(err)
	}
	return shop, variant
}

// TestRestockNobodyWaitsForSaysNothingIsSent: the notice after the demo
// shop's Simulate restock of a variant nobody waits for says that nothing
// is sent, and does not send the merchant to the Outbox for alerts; the
// restock of a variant a shopper waits for still says they go out.
func TestRestockNobodyWaitsForSaysNothingIsSent(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	_, sizeM := demoSizeM(t, m)
	restock := fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID)
	clickAndWaitForNotice(t, ctx, restock, "nobody is waiting for this variant, so nothing is sent.")
	if got := text(t, ctx, `[role=status]`); strings.Contains(got, "alerts go out") || strings.Contains(got, "Outbox") {
		t.Errorf("the notice after a restock nobody waits for says %q", got)
	}
	browse(t, ctx, m.URL()+"/admin/products", "#demo-stock-heading")
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=sell_out]`, sizeM.ID), "[role=status]")
	subscribeToSizeM(t, m, "ann@example.com")
	clickAndWait(t, ctx, restock, "[role=status]")
	if got := text(t, ctx, `[role=status]`); !strings.Contains(got, "The alerts go out") && !strings.Contains(got, "the alerts go out") {
		t.Errorf("the notice after a restock a shopper waits for says %q", got)
	}
}

// TestRestockNoticeFollowsTheFlow: a simulated restock a shopper waits for
// tells them only when the flow is live; the notice says that a manual
// flow's batch waits for approval on the Flow page, and that a draft flow
// tells nobody, rather than that the alerts go out.
func TestRestockNoticeFollowsTheFlow(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	shop, sizeM := demoSizeM(t, m)
	subscribeToSizeM(t, m, "ann@example.com")
	form := fmt.Sprintf(`form:has(input[name=variant][value="%d"])`, sizeM.ID)
	for _, c := range []struct {
		status     stockbell.FlowStatus
		want, link string
	}{
		{stockbell.FlowDraft, "your flow is a draft, so nobody is told", "/admin/flow"},
		{stockbell.FlowManual, "your flow is manual, so their alerts wait for your approval on the Flow page", "/admin/flow"},
	} {
		browse(t, ctx, m.URL()+"/admin/products", "#demo-stock-heading")
		// Sold out as the demo starts; after the first case's restock, sold
		// out again (a draft flow told nobody, so the shopper still waits).
		if browsertest.Eval[bool](t, ctx, `document.querySelector(`+fmt.Sprintf("%q", form+` button[value=sell_out]`)+`) !== null`) {
			clickAndWait(t, ctx, form+` button[value=sell_out]`, "[role=status]")
		}
		// Set while sold out: a flow that starts notifying rechecks the
		// variants in stock, which would hold the shopper before the restock.
		setFlowStatus(t, m, shop, c.status)
		clickAndWait(t, ctx, form+` button[value=restock]`, "[role=status]")
		got := text(t, ctx, `[role=status]`)
		if !strings.Contains(got, c.want) || strings.Contains(got, "alerts go out") || strings.Contains(got, "Outbox") {
			t.Errorf("with a %s flow the notice after a restock says %q, want %q", c.status, got, c.want)
		}
		href := browsertest.Eval[string](t, ctx, `document.querySelector("p.banner.ok a")?.getAttribute("href") ?? ""`)
		if !strings.HasSuffix(href, c.link) {
			t.Errorf("with a %s flow the notice links to %q, want the Flow page", c.status, href)
		}
	}
}

// setFlowStatus sets the shop's flow to status; a flow already at it is
// left as it is (its version unchanged, so a page open on it still saves).
func setFlowStatus(t *testing.T, m *Main, shop *stockbell.Shop, status stockbell.FlowStatus) {
	t.Helper()
	ctx := context.Background()
	flow, err := m.DB.FindFlow(ctx, shop.ID)
	if err == nil && flow.Status != status {
		flow.Status = status
		err = m.DB.UpdateFlow(ctx, flow)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// subscribeToSizeM queues the shopper for the demo shop's size M of the
// sweater, sold out as the demo starts.
func subscribeToSizeM(t *testing.T, m *Main, email string) *stockbell.Subscription {
	t.Helper()
	shop, v := demoSizeM(t, m)
	sub, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
		Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

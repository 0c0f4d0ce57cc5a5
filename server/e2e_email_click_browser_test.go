package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// clickedStat reads the Reports page's count of clicks.
const clickedStat = `[...document.querySelectorAll(".stat")].find((s) => s.querySelector(".label").textContent == "clicked").querySelector(".value").textContent`

// clickReported waits until the landing page's click report has been
// answered, and returns the answer's status.
func clickReported(t *testing.T, ctx context.Context) int {
	t.Helper()
	const report = `performance.getEntriesByType("resource").find((e) => e.name.endsWith("/api/storefront/v1/clicks"))`
	waitForServer(t, ctx, report+` && `+report+`.responseEnd > 0`)
	return browsertest.Eval[int](t, ctx, report+`.responseStatus`)
}

// alertEmailLink queues a shopper for the demo shop's size M, restocks it
// from the demo admin, and returns the shop and the product link of the
// alert email the outbox then holds: straight to the product page (no
// short link), with its click id.
func alertEmailLink(t *testing.T, ctx context.Context, m *Main) (*stockbell.Shop, *url.URL) {
	t.Helper()
	shop, sizeM := demoSizeM(t, m)
	if _, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: sizeM.ID,
		Email: "lands@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "test"}); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID), ".banner.ok")
	if err := browsertest.Poll(ctx, `fetch("/admin/outbox").then((r) => r.text()).then((page) => page.includes("lands@example.com"))`,
		serverWait, 250*time.Millisecond); err != nil {
		t.Fatalf("no email in the outbox after %s: %v", serverWait, err)
	}
	browse(t, ctx, m.URL()+"/admin/outbox", "main table a")
	clickAndWait(t, ctx, `main table a`, "iframe")
	link := browsertest.Eval[string](t, ctx, `fetch(document.querySelector("iframe").src).then((r) => r.text()).then((html) =>
		new DOMParser().parseFromString(html, "text/html").querySelector("a[href*=sb_click]").href)`)
	target, err := url.Parse(link)
	if err != nil || target.Query().Get("sb_click") == "" || strings.Contains(link, "/r/") {
		t.Fatalf("the email's product link %q carries no click id, or goes through a short link", link)
	}
	return shop, target
}

// TestEmailClickCountedWhereTheShopperLandsInChromium: a shopper follows
// the demo alert email's link straight to the product page (no short
// link); the snippet there reports the click, and Reports counts one. A
// reload counts nothing more, a forged click id is refused, and the
// click id reported under another shop is refused and counts nothing.
func TestEmailClickCountedWhereTheShopperLandsInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, 3*time.Minute)
	shop, target := alertEmailLink(t, ctx, m)
	link := target.String()

	browse(t, ctx, link, "[data-stockbell-variant]")
	if status := clickReported(t, ctx); status != http.StatusCreated {
		t.Fatalf("the landing page's click report was answered %d, want 201", status)
	}
	browse(t, ctx, m.URL()+"/admin/reports", ".stat")
	if got := browsertest.Eval[string](t, ctx, clickedStat); got != "1" {
		t.Fatalf("Reports counts %s clicks after the email's link was followed, want 1", got)
	}

	browse(t, ctx, link, "[data-stockbell-variant]") // the shopper reloads the page
	if status := clickReported(t, ctx); status != http.StatusOK {
		t.Errorf("the reloaded page's click report was answered %d, want 200 (already counted)", status)
	}
	forged := *target
	q := forged.Query()
	q.Set("sb_click", "AAAAAAAAAAAAAA")
	forged.RawQuery = q.Encode()
	browse(t, ctx, forged.String(), "[data-stockbell-variant]")
	if status := clickReported(t, ctx); status != http.StatusUnprocessableEntity {
		t.Errorf("a forged click id's report was answered %d, want 422", status)
	}

	// The click id of the demo shop's message, reported under another shop.
	other := seedTee(t, m)
	body := fmt.Sprintf(`{"shop":%q,"code":%q}`, other.Domain, target.Query().Get("sb_click"))
	resp, err := http.Post(m.URL()+"/api/storefront/v1/clicks", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the demo shop's click id reported under another shop was answered %d, want 404", resp.StatusCode)
	}
	browse(t, ctx, m.URL()+"/admin/reports", ".stat")
	if got := browsertest.Eval[string](t, ctx, clickedStat); got != "1" {
		t.Errorf("Reports counts %s clicks after a reload and two refused reports, want 1", got)
	}
	for _, id := range []int64{shop.ID, other.ID} {
		if n, err := m.DB.CountClicks(context.Background(), stockbell.ClickFilter{ShopID: &id}); err != nil || n != map[int64]int{shop.ID: 1, other.ID: 0}[id] {
			t.Errorf("shop %d has %d clicks stored (%v)", id, n, err)
		}
	}
}

// TestEmailClickCountedWhenTheShopperLeavesAtOnceInChromium: a shopper
// follows the alert email's link and leaves the product page at once,
// before the snippet's click report has reached the server; the click is
// counted all the same, as the report outlives its page (fetch's
// keepalive), where a plain request is cancelled with it. The tab's own
// request interception holds the report until the page has gone, so that
// it is still on its way then, however fast the loopback server would
// have answered. The page is one the browser does not keep in its
// back/forward cache (it listens for unload, as theme and tracking scripts
// do), so leaving it ends it, as closing its tab would: Chromium keeps a
// cached page's requests running, and would count the click either way.
func TestEmailClickCountedWhenTheShopperLeavesAtOnceInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, 3*time.Minute)
	shop, target := alertEmailLink(t, ctx, m)
	held := browsertest.HoldRequests(t, ctx, "*"+web.ClicksPath)

	browsertest.Do(t, ctx, chromedp.Navigate(target.String()))
	var report fetch.RequestID
	select {
	case report = <-held:
	case <-time.After(serverWait):
		t.Fatal("the landing page sent no click report")
	}
	clicks := func() int {
		n, err := m.DB.CountClicks(context.Background(), stockbell.ClickFilter{ShopID: &shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := clicks(); n != 0 {
		t.Fatalf("%d clicks counted while the report was held", n)
	}
	browsertest.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`addEventListener("unload", () => {})`))
	browse(t, ctx, m.URL()+"/", "h1") // the shopper leaves
	browsertest.LetGo(t, ctx, report)
	eventually(t, m, "the click of the page left at once to be counted", func() bool { return clicks() == 1 })
}

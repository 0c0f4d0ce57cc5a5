package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestRestockOfASignUpAwaitingConfirmationSaysItsAlertFollows: a newcomer
// who leaves only a United States number on the demo product page (a
// country where texts are confirmed first) and presses Simulate restock
// before confirming is not told that nobody waits and nothing is sent:
// the start page promises the alert once the text's link is followed, and
// it does go out then. The notice says the alert waits for the
// confirmation, and points to the request in the Outbox.
func TestRestockOfASignUpAwaitingConfirmationSaysItsAlertFollows(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, 3*time.Minute)
	browse(t, ctx, m.URL()+"/demo?variant=sweater-m", "[data-stockbell-variant]")
	waitForServer(t, ctx, `shown(button())`)
	browsertest.Click(t, ctx, `button()`)
	waitForServer(t, ctx, `dialog() && dialog().open`)
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { field("country").value = "US"; field("phone").value = "201 555 0123";
		field("sms_consent").checked = true; form().querySelector("button[type=submit]").click(); })()`)
	waitForServer(t, ctx, `status().textContent.includes("confirm")`)

	_, sizeM := demoSizeM(t, m)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID), "[role=status]")
	notice := text(t, ctx, "[role=status]")
	if strings.Contains(notice, "nobody is waiting") || strings.Contains(notice, "nothing is sent") {
		t.Errorf("with a sign-up awaiting its confirmation the notice after a restock says %q", notice)
	}
	if !strings.Contains(notice, "confirm") {
		t.Errorf("the notice after a restock does not say that the alert waits for the confirmation: %q", notice)
	}
	href := browsertest.Eval[string](t, ctx, `document.querySelector("p.banner.ok a")?.getAttribute("href") ?? ""`)
	if !strings.HasSuffix(href, "/admin/outbox") {
		t.Errorf("the notice links to %q, want the Outbox, where the request to confirm is", href)
	}
}

// TestDemoProductsWithNobodyWaitingLeadToTheDemoProductPage: walking the
// loop again as the start page says (Sell out on size M, then subscribe
// again), the newcomer lands on the demo shop's Products page with nobody
// waiting. Its empty state leads to the demo product page, where the
// button already is, rather than to Install's "Add the button to your
// store", which asks a demo shop for a storefront it does not have.
func TestDemoProductsWithNobodyWaitingLeadToTheDemoProductPage(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	_, sizeM := demoSizeM(t, m)
	form := fmt.Sprintf(`form:has(input[name=variant][value="%d"])`, sizeM.ID)
	clickAndWait(t, ctx, form+` button[value=restock]`, "[role=status]")
	clickAndWait(t, ctx, form+` button[value=sell_out]`, "[role=status]")
	links := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("main .card:not(section) a")].map((a) => a.getAttribute("href") + " " + a.textContent)`)
	if len(links) != 1 || !strings.HasPrefix(links[0], "/demo ") {
		t.Fatalf("with nobody waiting the demo shop's Products page links to %q, want the demo product page", links)
	}
	clickAndWait(t, ctx, `main .card:not(section) a`, "[data-stockbell-variant]")
	if got := browsertest.Eval[string](t, ctx, `location.pathname`); got != "/demo" {
		t.Errorf("the link led to %s", got)
	}
}

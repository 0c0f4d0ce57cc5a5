package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
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
	subscribeUSNumberToSizeM(t, ctx, m)

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

// TestReportsCountOneRestockForALateConfirmation: the newcomer leaves an
// email and, apart, a United States number for size M, presses Simulate
// restock once, then confirms the number from the text in the Outbox and
// gets its alert. Reports counts one restock that started notifications,
// as the dashboard counts one restock, though two batches went out: the
// confirmed number's batch follows the same restock.
func TestReportsCountOneRestockForALateConfirmation(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.NewWithin(t, 3*time.Minute)
	subscribeToSizeM(t, m, "ann@example.com")
	subscribeUSNumberToSizeM(t, ctx, m)

	shop, sizeM := demoSizeM(t, m)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	clickAndWait(t, ctx, fmt.Sprintf(`form:has(input[name=variant][value="%d"]) button[value=restock]`, sizeM.ID), "[role=status]")
	link := regexp.MustCompile(`/confirm/[A-Za-z0-9_-]+`).FindString(confirmationText(t, m, shop, "+12015550123"))
	browse(t, ctx, m.URL()+link, "form button")
	clickAndWait(t, ctx, "form button", ".done")
	eventually(t, m, "the confirmed number's alert in the outbox", func() bool {
		msgs, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
		alerts := 0
		for _, msg := range msgs {
			if err == nil && (msg.Recipient == "+12015550123" || msg.Recipient == "ann@example.com") && !strings.Contains(msg.Text, "/confirm/") {
				alerts++
			}
		}
		return alerts == 2
	})

	browse(t, ctx, m.URL()+"/admin/reports", "main table")
	row := func(label string) string {
		return browsertest.Eval[string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("main table tr")].find((r) => r.querySelector("th").textContent == %q).querySelector("td").textContent`, label))
	}
	if restocked, batches := row("Restocked (notifications started)"), row("Batches of alerts"); restocked != "1" || batches != "2" {
		t.Errorf("Reports counts %s restocks and %s batches after one restock and a late confirmation, want 1 and 2", restocked, batches)
	}
	browse(t, ctx, m.URL()+"/admin", "main")
	if got := text(t, ctx, `[aria-labelledby="chart-restocks-title"], main`); !strings.Contains(got, "Restocks: 1") {
		t.Errorf("the dashboard does not count one restock: %.400q", got)
	}
}

// subscribeUSNumberToSizeM leaves a United States number for size M on the
// demo product page, as a newcomer does: a sign-up that waits for its
// confirmation.
func subscribeUSNumberToSizeM(t *testing.T, ctx context.Context, m *Main) {
	t.Helper()
	browse(t, ctx, m.URL()+"/demo?variant=sweater-m", "[data-stockbell-variant]")
	waitForServer(t, ctx, `shown(button())`)
	browsertest.Click(t, ctx, `button()`)
	waitForServer(t, ctx, `dialog() && dialog().open`)
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { field("country").value = "US"; field("phone").value = "201 555 0123";
		field("sms_consent").checked = true; form().querySelector("button[type=submit]").click(); })()`)
	waitForServer(t, ctx, `status().textContent.includes("confirm")`)
}

// TestDemoProductsSayWhichSignUpsAwaitConfirmation: a newcomer who left
// only a United States number opens the demo shop's Products page (step 2
// of the start page) and reads that a sign-up waits for its confirmation,
// with a link to it on Subscribers, rather than only that nobody waits.
func TestDemoProductsSayWhichSignUpsAwaitConfirmation(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	ctx := browsertest.New(t)
	subscribeUSNumberToSizeM(t, ctx, m)
	browse(t, ctx, m.URL()+"/", "h1")
	clickAndWait(t, ctx, `form[action="/demo/admin"] button`, "#demo-stock-heading")
	if got := text(t, ctx, "main .card"); !strings.Contains(got, "1 sign-up waits for the shopper's confirmation") {
		t.Errorf("with a sign-up awaiting its confirmation the Products page says %q", got)
	}
	clickAndWait(t, ctx, `main .card a[href*="status=pending"]`, "main table")
	if got := text(t, ctx, "main table tbody"); !strings.Contains(got, "+12015550123") || !strings.Contains(got, "pending") {
		t.Errorf("the link leads to Subscribers listing %q", got)
	}
}

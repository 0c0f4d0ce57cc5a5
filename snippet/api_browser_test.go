package snippet

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The JavaScript API as docs/snippet.md promises it to a theme.

// stockbell:ready names the first product's variant whether or not it is
// sold out, and Stockbell.open() without a variant opens the form for it:
// a product shown in stock has no button, but it is still followed.
func TestReadyAndOpenNameAnInStockProduct(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom?available=true")
	if got := eval[string](t, ctx, `JSON.stringify(events("ready")[0].detail)`); got != `{"variantId":"PULL-ROUGE-M","soldOut":false}` {
		t.Errorf("stockbell:ready detail %s", got)
	}
	eval[chromedp.Void](t, ctx, `Stockbell.open()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	eval[chromedp.Void](t, ctx, `(field("email").value = "shopper@example.com", form().querySelector("form").requestSubmit())`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	if got := eval[string](t, ctx, `events("subscribed")[0].detail.variantId`); got != "PULL-ROUGE-M" {
		t.Errorf("Stockbell.open() opened the form for %q, want the product's variant", got)
	}
}

// Colours given to Stockbell.configure reach the form too, also once it
// has been opened before (its element is made once and kept).
func TestConfiguredColorsReachTheFormOpenedBefore(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("\u001b"))
	waitFor(t, ctx, `!dialog().open`)
	eval[chromedp.Void](t, ctx, `Stockbell.configure({colors: {accent: "#0a5c36"}})`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, `getComputedStyle(form().querySelector("button[type=submit]")).backgroundColor`); got != "rgb(10, 92, 54)" {
		t.Errorf("submit background %s after configure({colors: {accent}}), want rgb(10, 92, 54)", got)
	}
}

// A proxy in front of the app (data-api) that does not pass on the status
// route, and answers it with JSON of its own, gets the one warning the
// docs promise, no button, and still stockbell:ready: no uncaught error.
func TestStatusRefusedByAProxyWarnsOnce(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":"Not Found"}`)
	}))
	t.Cleanup(proxy.Close)
	s := newStorefront(t, `data-api="`+proxy.URL+`/apps/stockbell/subscriptions"`)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.warnings = [];
			const warn = console.warn;
			console.warn = (...args) => { window.warnings.push(args.join(" ")); warn(...args); };
			addEventListener("unhandledrejection", (e) => window.warnings.push("unhandled: " + e.reason));`})
		return err
	}))
	open(t, ctx, s.shop.URL+"/pages/custom")
	if got := eval[[]string](t, ctx, `window.warnings`); len(got) != 1 || got[0] != "Stockbell: the server answered 404. No button is shown." {
		t.Errorf("console: %q, want one warning naming the 404", got)
	}
	if eval[bool](t, ctx, `host() != null`) {
		t.Error("a button was placed though the status route is missing")
	}
}

// A page that includes the script twice (a theme's tag and an app embed)
// runs it once, with the first tag's options; window.Stockbell wins over
// the tag's data attributes, which give the rest (channels "email sms").
func TestScriptIncludedTwiceRunsOnceWithTheFirstTagsOptions(t *testing.T) {
	s := newStorefront(t, "")
	pages := map[string]string{
		"/twice": `<script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" data-text-button="First" defer></script>
<script src="` + s.app.URL + `/snippet.js" data-shop="other-shop" data-text-button="Second" data-channels="sms" defer></script>`,
		"/preset": `<script>window.Stockbell = {strings: {button: "Preset"}};</script>
<script src="` + s.app.URL + `/snippet.js" data-shop="shop-key-123" data-text-button="Attribute" data-channels="email sms" defer></script>`,
	}
	theme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>`+pages[r.URL.Path]+`</head>
<body><div data-stockbell-variant="PULL-ROUGE-M" data-stockbell-available="false"></div></body></html>`)
	}))
	t.Cleanup(theme.Close)
	ctx := newBrowser(t)
	open(t, ctx, theme.URL+"/twice")
	waitFor(t, ctx, `shown(button())`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	got := eval[string](t, ctx, `[document.querySelectorAll("stockbell-button").length, button().textContent, events("ready").length, !!field("email"), !!field("phone")].join(" ")`)
	if got != "1 First 1 true false" {
		t.Errorf("buttons, label, ready events, email field, phone field: %q, want %q", got, "1 First 1 true false")
	}
	open(t, ctx, theme.URL+"/preset")
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `button().textContent`); got != "Preset" {
		t.Errorf("label %q: window.Stockbell should win over data-text-button", got)
	}
	// channels written as docs/snippet.md allows: "email sms", and a list.
	for _, channels := range []string{"0", `Stockbell.configure({channels: "email"}), Stockbell.configure({channels: ["email", "sms"]})`} {
		eval[chromedp.Void](t, ctx, channels)
		eval[chromedp.Void](t, ctx, `Stockbell.open()`)
		waitFor(t, ctx, `dialog() && dialog().open`)
		if got := eval[string](t, ctx, `!!field("email") + " " + !!field("phone")`); got != "true true" {
			t.Errorf("after %q, email and phone fields: %s, want both", channels, got)
		}
		do(t, ctx, chromedp.KeyEvent("\u001b"))
		waitFor(t, ctx, `!dialog().open`)
	}
}

// The awaiting-confirmation states: the answer's awaiting_confirmation
// names the channels the shopper must still confirm, also when a pending
// shopper submits again (200), which is then no "already" state.
func TestAwaitingConfirmationStates(t *testing.T) {
	s := newStorefront(t, `data-channels="both" data-country="DE" data-locale="en"`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	for _, c := range []struct{ email, phone, want string }{
		{"confirm-email@example.com", "", "Check your email: open the link we just sent to confirm your alert."},
		{"", "0151 23456789", "Check your phone: reply YES to the text we just sent to confirm your alert."},
		{"confirm-both@example.com", "0151 23456789", "Check your phone and email: confirm your alert from the text and the email we just sent."},
		{"pending@example.com", "", "Check your email: open the link we just sent to confirm your alert."},
	} {
		n := eval[int](t, ctx, `events("subscribed").length`)
		eval[chromedp.Void](t, ctx, `Stockbell.open()`)
		waitFor(t, ctx, `dialog() && dialog().open && field("email")`)
		eval[chromedp.Void](t, ctx, fmt.Sprintf(`(field("email").value = %q, field("phone").value = %q, field("sms_consent").checked = true,
			form().querySelector("form").requestSubmit())`, c.email, c.phone))
		waitFor(t, ctx, fmt.Sprintf(`events("subscribed").length == %d`, n+1))
		if got := eval[string](t, ctx, `status().textContent`); got != c.want {
			t.Errorf("%s %s: status %q, want %q", c.email, c.phone, got, c.want)
		}
		do(t, ctx, chromedp.KeyEvent("\u001b"))
		waitFor(t, ctx, `!dialog().open`)
	}
	if got := eval[bool](t, ctx, `events("subscribed")[3].detail.created`); got {
		t.Error("a pending shopper's second try is reported as created")
	}
}

// A storefront that renders its products after the page has loaded (a
// client-rendered storefront, a quick view) gets the button for a marked
// element it adds later, and the snippet follows its attributes.
func TestMarkedElementAddedAfterLoadGetsItsButton(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/")
	eval[chromedp.Void](t, ctx, `document.body.insertAdjacentHTML("beforeend",
		'<div id="late" data-stockbell-variant="PULL-ROUGE-M" data-stockbell-available="false"></div>')`)
	waitFor(t, ctx, `!!button() && shown(button())`)
	eval[chromedp.Void](t, ctx, `document.getElementById("late").setAttribute("data-stockbell-available", "true")`)
	waitFor(t, ctx, `!shown(button())`)
}

// A theme developer's normal page (a sold-out product, the form opened and
// a subscription sent, a Shopify page, a page without products) shows no
// error or warning in the console, and nothing is thrown.
func TestNormalPagesWriteNothingToTheConsole(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.consoleSeen = [];
			for (const level of ["error", "warn"]) {
				const original = console[level];
				console[level] = (...args) => { window.consoleSeen.push(level + ": " + args.join(" ")); original(...args); };
			}
			addEventListener("error", (e) => window.consoleSeen.push("thrown: " + e.message));
			addEventListener("unhandledrejection", (e) => window.consoleSeen.push("unhandled: " + e.reason));`})
		return err
	}))
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("email")`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	waitFor(t, ctx, `events("subscribed").length == 1`)
	seen := eval[[]string](t, ctx, `window.consoleSeen`)
	for _, url := range []string{s.shop.URL + "/products/tee?variant=" + soldOut, s.shop.URL + "/"} {
		open(t, ctx, url)
		seen = append(seen, eval[[]string](t, ctx, `window.consoleSeen`)...)
	}
	if len(seen) > 0 {
		t.Errorf("console: %q", seen)
	}
}

// A proxy in front of the app (data-api) that passes on the status route
// but answers a subscription with a page of its own (a 502 while the app
// is down) is named by its status: stockbell:error carries code "http"
// and an empty message, as docs/snippet.md says, and the form shows its
// generic error.
func TestSubscriptionAnsweredByAProxysOwnPage(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.URL.Path == "/apps/stockbell/status" {
			fmt.Fprint(w, `{"status":"ok"}`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, `<html><body>Bad gateway</body></html>`)
	}))
	t.Cleanup(proxy.Close)
	s := newStorefront(t, `data-api="`+proxy.URL+`/apps/stockbell/subscriptions" data-locale="en"`)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	waitFor(t, ctx, `events("error").length == 1`)
	if got := eval[string](t, ctx, `JSON.stringify(events("error")[0].detail)`); got != `{"variantId":"PULL-ROUGE-M","status":502,"code":"http","message":""}` {
		t.Errorf("stockbell:error detail %s", got)
	}
	if got := eval[string](t, ctx, `status().textContent`); got != "Something went wrong. Please try again." {
		t.Errorf("status %q", got)
	}
}

// A shopper who presses submit and leaves the page at once (another page,
// the tab closed) is still subscribed: the subscription outlives its page
// (fetch's keepalive), where a plain request is cancelled with it. The tab
// holds the request until the page has gone; the page is one the browser
// does not keep in its back/forward cache (it listens for unload, as theme
// and tracking scripts do), so leaving it ends it.
func TestSubscriptionSentWhenTheShopperLeavesAtOnce(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	held := browsertest.HoldRequests(t, ctx, "*/api/storefront/v1/subscriptions")
	open(t, ctx, s.shop.URL+"/pages/custom")
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	eval[chromedp.Void](t, ctx, `addEventListener("unload", () => {})`)
	do(t, ctx, chromedp.KeyEvent("shopper@example.com\r"))
	var subscription fetch.RequestID
	select {
	case subscription = <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the form sent no subscription")
	}
	open(t, ctx, s.shop.URL+"/") // the shopper leaves
	if n := len(s.posts()); n != 0 {
		t.Fatalf("%d subscriptions received while the request was held", n)
	}
	browsertest.LetGo(t, ctx, subscription)
	wantJSON(t, waitReceived(t, s.posts, 1)[0].Body, map[string]any{
		"shop": "shop-key-123", "variant_id": "PULL-ROUGE-M", "email": "shopper@example.com", "phone": "",
		"channels": []string{"email"}, "sms_consent": false, "marketing_consent": false, "locale": "fr",
	})
}

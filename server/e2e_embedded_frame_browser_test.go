package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// appBridgeStub plays App Bridge, whose script the embedded pages load
// from Shopify's CDN: shopify.idToken() asks the Shopify admin (the
// frame's parent) for a session token by a message, as App Bridge does,
// and on the bounce page it reloads ?shopify-reload= with a fresh token.
const appBridgeStub = `(function () {
  var asked = 0;
  function idToken() {
    return new Promise(function (resolve) {
      var id = "token-" + (++asked) + "-" + Math.random();
      addEventListener("message", function answer(e) {
        if (e.source !== parent || !e.data || e.data.id !== id) return;
        removeEventListener("message", answer);
        resolve(e.data.token);
      });
      parent.postMessage({appBridge: "idToken", id: id}, "*");
    });
  }
  window.shopify = {idToken: idToken};
  var reload = new URLSearchParams(location.search).get("shopify-reload");
  if (reload) idToken().then(function (token) {
    var next = new URL(reload);
    next.searchParams.set("id_token", token);
    location.replace(next.toString());
  });
})();`

// shopifyAdminPage is the Shopify admin's page around the app's frame,
// sandboxed without modals (appFrameSandbox): it answers App Bridge's
// requests for a session token with a fresh one.
const shopifyAdminPage = `<!doctype html><title>Shopify</title><h1>Shopify admin</h1>
<iframe id="app" sandbox="%s" allow="local-network-access; local-network; loopback-network" style="width:1200px;height:800px" src="%s"></iframe>
<script>
addEventListener("message", function (e) {
  if (!e.data || e.data.appBridge !== "idToken") return;
  fetch("/stockbell-test/session-token").then(function (r) { return r.text(); }).then(function (token) {
    e.source.postMessage({id: e.data.id, token: token}, "*");
  });
});
</script>`

// shopifyAdminOrigins are where the Shopify admin shows an embedded app:
// admin.shopify.com, and the shop's own myshopify.com admin of before.
var shopifyAdminOrigins = []string{"https://" + shopifytest.AdminHost, "https://" + e2eShop}

// panels tells the Shopify admin's tabs apart.
var panels atomic.Int64

// inShopifyAdmin opens link, a page of the embedded admin in the Shopify
// admin (https://admin.shopify.com/store/{store}/apps/{client id}/{path},
// or the legacy https://{shop}/admin/apps/{client id}/{path}), in the tab,
// its pages served by Chromium's request interception, and returns a
// context working in the app's frame. Shopify loads the path on the app's
// origin with its parameters and a session token (fake.OpenAppLink). The
// frame first shows the bounce page without App Bridge, so that the test
// can watch the frame's requests (Chromium runs a frame of another site as
// a target of its own) and serve App Bridge's script from there on; then
// Shopify's frame opens the link.
func inShopifyAdmin(t *testing.T, ctx context.Context, m *Main, fake *shopifytest.Fake, link string) context.Context {
	t.Helper()
	return inShopifyAdminWith(t, ctx, m, fake, link, nil)
}

// inShopifyAdminWith is inShopifyAdmin with the session tokens App Bridge
// hands out made by token (nil: fresh ones).
func inShopifyAdminWith(t *testing.T, ctx context.Context, m *Main, fake *shopifytest.Fake, link string, token func() string) context.Context {
	t.Helper()
	return inShopifyAdminFrom(t, ctx, m, fake, link, link, token)
}

// inShopifyAdminFrom is inShopifyAdminWith with the tab first opening
// start, which must end, through its redirects, at link.
func inShopifyAdminFrom(t *testing.T, ctx context.Context, m *Main, fake *shopifytest.Fake, start, link string, token func() string) context.Context {
	t.Helper()
	app := m.Config.PublicURL
	modern := link
	if rest, ok := strings.CutPrefix(link, "https://"+e2eShop+"/admin/apps/"); ok {
		modern = "https://" + shopifytest.AdminHost + "/store/" + strings.TrimSuffix(e2eShop, ".myshopify.com") + "/apps/" + rest
	}
	frameURL, err := fake.OpenAppLink(modern, app+"/admin") // shopify.app.toml's application_url
	noErr(t, err)
	first := app + web.SessionTokenPath + "?" + url.Values{"shop": {e2eShop}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZTJl"},
		"embedded": {"1"}, "shopify-reload": {fmt.Sprintf("%s/admin?tab=%d", app, panels.Add(1))}}.Encode()
	var tokens atomic.Int64
	fresh := func() string {
		return sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) { c["jti"] = fmt.Sprint("fresh-", tokens.Add(1)) })
	}
	if token == nil {
		token = fresh
	}
	// Shopify opens the app with a token valid now, its query signed
	// again (the fake's clock stands still while the test runs).
	opened, err := url.Parse(frameURL)
	noErr(t, err)
	q := opened.Query()
	q.Del("hmac")
	q.Set("id_token", fresh())
	opened.RawQuery = fake.SignedQuery(e2eShop, q).Encode()
	frameURL = opened.String()
	serve(t, ctx, shopifyAdminOrigins, func(u *url.URL) (string, string) {
		if u.Path == "/stockbell-test/session-token" {
			return "text/plain", token()
		}
		return "text/html; charset=utf-8", fmt.Sprintf(shopifyAdminPage, appFrameSandbox, first)
	})
	browse(t, ctx, start, "#app")
	if at := browsertest.Eval[string](t, ctx, `location.href`); at != link {
		t.Fatalf("the tab opened %s and ended at %s, want %s", start, at, link)
	}
	frame := appFrame(t, ctx, first)
	serve(t, frame, []string{"https://cdn.shopify.com"}, func(*url.URL) (string, string) {
		return "text/javascript", appBridgeStub
	})
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector("#app").src = %q, true)`, frameURL))
	return frame
}

// serve answers the target's requests to the origins with serve's
// content type and body, by Chromium's request interception, and lets
// those sites reach the loopback server as a merchant's browser reaches
// the app's public address.
func serve(t *testing.T, ctx context.Context, origins []string, serve func(*url.URL) (contentType, body string)) {
	t.Helper()
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			u, err := url.Parse(ev.Request.URL)
			if err != nil {
				continue
			}
			contentType, body := serve(u)
			chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: contentType}, {Name: "Cache-Control", Value: "no-store"}}, Body: []byte(body)})
				return err
			}))
		}
	}()
	var patterns []*fetch.RequestPattern
	for _, origin := range origins {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: origin + "/*"})
	}
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		for _, origin := range origins {
			for _, name := range []string{"local-network-access", "local-network", "loopback-network"} {
				if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{Permission: &browser.PermissionDescriptor{Name: name},
					Setting: browser.PermissionSettingGranted, Origin: origin, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}); err != nil {
					return err
				}
			}
		}
		_, err := cdp.Call(ctx, target, fetch.Enable, fetch.EnableParams{Patterns: patterns})
		return err
	}))
}

// waitAcrossPages waits until expr holds in the frame while it goes from
// page to page (a redirect, the bounce page's reload), asking again when
// a page goes away under the question.
func waitAcrossPages(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	for deadline := time.Now().Add(serverWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
	}
	t.Fatalf("the frame never showed %s (at %s)", expr, browsertest.Eval[string](t, ctx, `location.href`))
}

// frameToken is the session token the frame's page was opened with.
func frameToken(t *testing.T, frame context.Context) string {
	return browsertest.Eval[string](t, frame, `new URL(location.href).searchParams.get("id_token") || ""`)
}

// TestShopifyAdminWorksInTheShopifyAdminFrame plays a Shopify merchant in
// Stockbell's embedded admin, inside the Shopify admin's frame at
// admin.shopify.com/store/{store}/apps/{client id}: every page of the menu
// opens in the frame (each with a fresh session token App Bridge gave);
// the Flow page's message preview, a frame within the frame, shows the
// message; the subscribers' CSV export and a shopper's data (a form's
// answer) download from the frame, whose sandbox allows no modals, and
// erasing a shopper asks first on a page in the frame, its Yes sent with
// a fresh session token; Settings are saved; a page opened with
// a token that expired (the merchant left the tab open) goes through the
// bounce page and opens with a fresh token; a form sent with a token the
// server refuses is not saved, and the frame says so; a report email's
// link opened in a new tab opens Reports on its days in that tab's
// Shopify admin, whose activity CSV downloads from there; the shop's
// myshopify.com admin of before shows the app as well.
func TestShopifyAdminWorksInTheShopifyAdminFrame(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	app := m.Config.PublicURL
	store := "https://" + shopifytest.AdminHost + "/store/" + strings.TrimSuffix(e2eShop, ".myshopify.com") + "/apps/" + fake.APIKey

	ctx := browsertest.New(t)
	frame := inShopifyAdmin(t, ctx, m, fake, store+"/admin")
	waitForServer(t, frame, `document.querySelector("nav.menu [aria-current=page]") !== null`)
	opened := frameToken(t, frame)
	links := browsertest.Eval[[]string](t, frame, `Array.from(document.querySelectorAll("nav.menu a")).map((a) => a.getAttribute("href"))`)
	if len(links) < 6 {
		t.Fatalf("the menu in the Shopify admin's frame has %d pages: %v", len(links), links)
	}
	for _, href := range links {
		clickAndWait(t, frame, fmt.Sprintf(`nav.menu a[href=%q]`, href), `nav.menu [aria-current=page]`)
		if got := browsertest.Eval[string](t, frame, `document.querySelector("nav.menu [aria-current=page]").getAttribute("href")`); got != href {
			t.Errorf("the menu's %s opened %s (%q)", href, got, browsertest.Eval[string](t, frame, `document.title`))
		}
		if token := frameToken(t, frame); token == "" || token == opened {
			t.Errorf("the menu's %s opened without a fresh session token from App Bridge", href)
		}
	}

	// The Flow page's preview, a frame of the admin within the Shopify
	// admin's frame (frame-ancestors must allow every ancestor), shows
	// the message.
	clickAndWait(t, frame, `nav.menu a[href^="/admin/flow?"]`, `iframe[data-step="1"]`)
	shown := appFrame(t, ctx, app+"/admin/flow/preview")
	waitForServer(t, shown, `document.body !== null && document.body.innerText.includes("back in stock")`)

	// The subscribers' export downloads from the frame (a link), and so
	// does a shopper's data on the privacy page (a form's answer).
	downloaded := downloads(t, ctx)
	clickAndWait(t, frame, `nav.menu a[href^="/admin/subscribers?"]`, `a[href^="/admin/subscribers/export?"]`)
	browsertest.Do(t, frame, chromedp.Click(`a[href^="/admin/subscribers/export?"]`))
	if csv := downloaded(); !strings.HasPrefix(csv, "id,email,") {
		t.Errorf("the export downloaded from the Shopify admin's frame is not the subscribers' CSV:\n%.300s", csv)
	}
	browsertest.Eval[bool](t, frame, fmt.Sprintf(`(document.body.dataset.left = "1", location.assign(%q), true)`,
		"/admin/privacy?"+embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil))))
	waitAcrossPages(t, frame, `document.body !== null && !document.body.dataset.left && document.querySelector("#email") !== null`)
	browsertest.Do(t, frame, chromedp.SetValue("#email", "shopper@example.com"), chromedp.Click(`.actions button.primary`))
	if data := downloaded(); !strings.Contains(data, "shopper@example.com") {
		t.Errorf("the shopper's data downloaded from the Shopify admin's frame:\n%.300s", data)
	}
	// Erase their data asks first on a page in the frame, sandboxed
	// without modals; its Yes, sent with a fresh session token as every
	// form, erases the shopper.
	_, ann := privacyShopper(t, m)
	browsertest.Do(t, frame, chromedp.SetValue("#email", ann.Email))
	clickAndWait(t, frame, `button[formaction^="/admin/privacy/erase"]`, "#question")
	clickAndWait(t, frame, `button[name=confirm]`, ".banner.ok")
	if got := text(t, frame, ".banner.ok"); !strings.HasPrefix(got, "Erased:") || subscriptionsOf(t, m, ann) != 0 {
		t.Errorf("erasing in the Shopify admin's frame says %q, %d subscriptions left", got, subscriptionsOf(t, m, ann))
	}
	if token := frameToken(t, frame); token == "" || token == opened {
		t.Errorf("the erasure was not sent with a fresh session token from App Bridge")
	}

	// Settings are saved from the frame.
	clickAndWait(t, frame, `nav.menu a[href^="/admin/settings?"]`, `#quiet_hours`)
	wasOn := browsertest.Eval[bool](t, frame, `document.querySelector("#quiet_hours").checked`)
	browsertest.Do(t, frame, chromedp.SetValue("#quiet_hours_start", "22:30"), chromedp.Click("#quiet_hours"))
	clickAndWait(t, frame, `.actions button.primary`, ".banner.ok")
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	if s, err := m.DB.FindSettings(context.Background(), shop.ID); err != nil || s.QuietHours == wasOn || s.QuietHoursStart != "22:30" {
		t.Fatalf("the settings saved in the Shopify admin's frame: %+v, %v", s, err)
	}

	// The tab was left open: the token a page opens with has expired. The
	// frame goes through the bounce page, where App Bridge reloads the
	// page with a fresh token.
	expired := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) {
		c["exp"], c["nbf"], c["iat"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix()
	})
	stale := "/admin/products?" + embeddedQuery(e2eShop, expired)
	browsertest.Eval[bool](t, frame, fmt.Sprintf(`(document.body.dataset.left = "1", location.assign(%q), true)`, stale))
	waitAcrossPages(t, frame, `document.body !== null && !document.body.dataset.left && location.pathname === "/admin/products" && document.querySelector("nav.menu [aria-current=page]") !== null`)
	if token := frameToken(t, frame); token == "" || token == expired {
		t.Errorf("the page opened with an expired token did not come back with a fresh one")
	}

	// Shopify's clock and the server's disagree: App Bridge hands out a
	// token the server refuses. A form sent with it is not saved, and the
	// frame says so.
	skewed := inShopifyAdminWith(t, browsertest.New(t), m, fake, store+"/admin/settings", func() string { return expired })
	waitForServer(t, skewed, `document.querySelector("#quiet_hours") !== null`)
	browsertest.Do(t, skewed, chromedp.SetValue("#quiet_hours_start", "05:45"))
	clickAndWait(t, skewed, `.actions button.primary`, `h1`)
	if got := text(t, skewed, `body`); !strings.Contains(got, "What you sent was not saved") {
		t.Errorf("a form sent with a refused token shows %q in the frame", got)
	}
	if s, err := m.DB.FindSettings(context.Background(), shop.ID); err != nil || s.QuietHoursStart != "22:30" {
		t.Errorf("a form sent with a refused token changed the settings: %+v, %v", s, err)
	}

	// A report email's link, opened in a new tab, opens Reports on its
	// days in that tab's Shopify admin.
	week := store + "/admin/reports?from=2025-01-27&to=2025-02-02"
	mail, closeMail := chromedp.NewContext(ctx)
	defer closeMail()
	reports := inShopifyAdmin(t, mail, m, fake, week)
	waitForServer(t, reports, `document.querySelector('input[name="from"]') !== null`)
	if from := browsertest.Eval[string](t, reports, `document.querySelector('input[name="from"]').value`); from != "2025-01-27" {
		t.Errorf("the report link opened in a new tab shows Reports from %q", from)
	}
	// Its activity of those days downloads from that frame.
	browsertest.Do(t, reports, chromedp.Click(`a[href^="/admin/reports/activity.csv?"][href*="from=2025-01-27"]`))
	if csv := downloaded(); !strings.HasPrefix(csv, "at,day,kind,") {
		t.Errorf("the activity downloaded from the new tab's frame is not the activity's CSV:\n%.300s", csv)
	}

	// The shop's myshopify.com admin of before frames the app too.
	legacy := browsertest.New(t)
	old := inShopifyAdmin(t, legacy, m, fake, "https://"+e2eShop+"/admin/apps/"+fake.APIKey+"/admin/settings")
	waitForServer(t, old, `document.querySelector("#quiet_hours") !== null`)
}

package main

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// controlPanel plays BigCommerce's control panel in the tab: its pages at
// https://store-{hash}.mybigcommerce.com/manage/app/{app id} (served to the tab
// by Chromium's request interception, so no certificate is involved) show
// the app in an iframe, as the control panel loads the app's install and
// load callbacks. It returns the panel's URL that frames src. The panel is
// a public site and the app a loopback server, so the tab lets the panel
// reach the local network, as a merchant's browser reaches the app's
// public address.
func controlPanel(t *testing.T, ctx context.Context) func(src string) string {
	t.Helper()
	origin := "https://store-" + e2eStore + ".mybigcommerce.com"
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			src := ""
			if u, err := url.Parse(ev.Request.URL); err == nil {
				src = u.Query().Get("app")
			}
			page := `<!doctype html><title>BigCommerce</title><h1>Control panel</h1><iframe id="app" sandbox="` + appFrameSandbox + `" ` +
				`allow="local-network-access; local-network; loopback-network" style="width:1200px;height:800px" src="` + html.EscapeString(src) + `"></iframe>`
			chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}}, Body: []byte(page)})
				return err
			}))
		}
	}()
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		for _, name := range []string{"local-network-access", "local-network", "loopback-network"} {
			if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{Permission: &browser.PermissionDescriptor{Name: name},
				Setting: browser.PermissionSettingGranted, Origin: origin, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}); err != nil {
				return err
			}
		}
		_, err := cdp.Call(ctx, target, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: origin + "/*"}}})
		return err
	}))
	return func(src string) string {
		return origin + "/manage/app/" + bigcommercetest.AppID + "?" + url.Values{"app": {src}}.Encode()
	}
}

// appFrameSandbox is the sandbox of the control panels' frames around the
// app: all the admin needs (its script, its cookie, its forms, downloads,
// new tabs) but modals, which makes window.confirm answer no at once
// without showing anything, as a frame may be sandboxed.
const appFrameSandbox = "allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox " +
	"allow-top-navigation-by-user-activation"

// appFrame returns a context working in the app's iframe of the tab:
// Chromium runs an iframe of another site as a target of its own.
func appFrame(t *testing.T, ctx context.Context, prefix string) context.Context {
	t.Helper()
	return frameWhere(t, ctx, prefix, func(u string) bool { return strings.HasPrefix(u, prefix) })
}

// frameWhere returns a context working in the tab's iframe whose URL
// matches, described as what.
func frameWhere(t *testing.T, ctx context.Context, what string, matches func(url string) bool) context.Context {
	t.Helper()
	tab := chromedp.FromContext(ctx).BrowserContextID
	deadline := time.Now().Add(serverWait)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && info.BrowserContextID == tab && matches(info.URL) {
				frame, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				return frame
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no iframe of %s in the control panel", what)
	return nil
}

// TestBigCommerceAdminWorksInTheControlPanelFrame: the owner installs
// Stockbell in BigCommerce's control panel, whose page (another site)
// shows the install callback in an iframe, and the dashboard opens there;
// a user the owner granted the app opens it, the load callback in the
// frame. Over https the session's cookie is
// SameSite=None and partitioned, so the admin works in the frame: the
// payload's url opens the Settings page, where the merchant turns quiet
// hours over and moves their start, and saves (the form's post carries the cookie and its CSRF
// token), then opens the sync log from the menu; the subscribers' CSV (a
// link), the Reports page's activity CSV and, from the privacy page, a
// shopper's data (a form's answer) download from the frame, the request
// carrying the partitioned cookie, with the store's rows and no other
// shop's; Erase their data asks on a page in the frame, which is
// sandboxed without modals, and erases the store's shopper only; a report email's link,
// opened outside the control panel, asks to sign in. Once the store's owner
// removes the user's access, the next page in the frame says so; the
// owner's Sign out in the frame shows the signed-out page there. A forged
// payload's refusal is shown in the frame too, saying why.
func TestBigCommerceAdminWorksInTheControlPanelFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")

	// The owner installs the app from the control panel: the install
	// callback opens the dashboard in its frame.
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	ownerFrame := appFrame(t, owner, app)
	waitForServer(t, ownerFrame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	clerk := bigcommercetest.User{ID: 77, Email: "clerk@bells.example"}
	claims := fake.Claims(e2eStore, clerk)
	claims["url"] = "/settings"
	load := func(secret string) string {
		return app + "/auth/bigcommerce/load?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(claims, secret)}}.Encode()
	}

	ctx := browsertest.New(t)
	panel := controlPanel(t, ctx)
	browse(t, ctx, panel(load(fake.ClientSecret)), "#app")
	frame := appFrame(t, ctx, app)
	waitForServer(t, frame, `document.querySelector("#quiet_hours") !== null`)
	wasOn := browsertest.Eval[bool](t, frame, `document.querySelector("#quiet_hours").checked`)
	browsertest.Do(t, frame, chromedp.SetValue("#quiet_hours_start", "22:30"), chromedp.Click("#quiet_hours"))
	clickAndWait(t, frame, `.actions button.primary`, ".banner.ok")
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformBigCommerce, "stores/"+e2eStore)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := m.DB.FindSettings(context.Background(), shop.ID); err != nil || s.QuietHours == wasOn || s.QuietHoursStart != "22:30" {
		t.Fatalf("the settings saved in the control panel's frame: %+v, %v", s, err)
	}
	clickAndWait(t, frame, `nav a[href="/admin/sync-log"]`, `main h1`)
	if h1 := text(t, frame, "main h1"); !strings.Contains(h1, "Sync log") {
		t.Errorf("the menu's Sync log opened %q", h1)
	}

	// The Flow page's preview, a frame of the admin within the control
	// panel's frame (frame-ancestors must allow every ancestor), shows the
	// message.
	clickAndWait(t, frame, `nav a[href="/admin/flow"]`, `iframe[data-step="1"]`)
	shown := appFrame(t, ctx, app+"/admin/flow/preview")
	waitForServer(t, shown, `document.body !== null && document.body.innerText.includes("back in stock")`)

	// The subscribers' CSV (a link) and the Reports page's activity CSV
	// download from the control panel's frame, the store's rows only: the
	// demo shop's shopper is in neither.
	eventually(t, m, "the store's catalog", func() bool {
		_, err := m.DB.FindVariant(context.Background(), shop.ID, "509")
		return err == nil
	})
	shirt, err := m.DB.FindVariant(context.Background(), shop.ID, "509")
	noErr(t, err)
	waiting, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: shirt.ID,
		Email: "bells-shopper@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	noErr(t, err)
	subscribeToSizeM(t, m, "demo-shopper@example.com")
	downloaded := downloads(t, ctx)
	clickAndWait(t, frame, `nav a[href="/admin/subscribers"]`, `a[href^="/admin/subscribers/export"]`)
	browsertest.Do(t, frame, chromedp.Click(`a[href^="/admin/subscribers/export"]`))
	csv := downloaded()
	if !strings.HasPrefix(csv, "id,email,") || !strings.Contains(csv, "bells-shopper@example.com") || strings.Contains(csv, "demo-shopper@example.com") {
		t.Errorf("the subscribers' CSV downloaded from the control panel's frame is not the store's:\n%.300s", csv)
	}
	clickAndWait(t, frame, `nav a[href="/admin/reports"]`, `a[href^="/admin/reports/activity.csv"]`)
	browsertest.Do(t, frame, chromedp.Click(`a[href^="/admin/reports/activity.csv"]`))
	csv = downloaded()
	if !strings.HasPrefix(csv, "at,day,kind,") || !strings.Contains(csv, "bells-shopper@example.com") || strings.Contains(csv, "demo-shopper@example.com") {
		t.Errorf("the activity CSV downloaded from the control panel's frame is not the store's:\n%.300s", csv)
	}

	// The privacy page's Download their data (a form's answer) downloads
	// from the frame too: the store's subscription of the shopper, not
	// the demo shop's of the same address.
	subscribeToSizeM(t, m, "bells-shopper@example.com")
	clickAndWait(t, frame, `nav a[href="/admin/subscribers"]`, `a[href="/admin/privacy"]`)
	clickAndWait(t, frame, `a[href="/admin/privacy"]`, `#email`)
	browsertest.Do(t, frame, chromedp.SetValue("#email", "bells-shopper@example.com"), chromedp.Click(`.actions button.primary`))
	wantOnlySubscription(t, "the shopper's data downloaded from the control panel's frame", downloaded(), "stores/"+e2eStore, waiting.ID)

	// Erase their data asks first on a page in the frame, sandboxed
	// without modals, and its Yes erases the store's shopper, not the demo
	// shop's of the same address.
	browsertest.Do(t, frame, chromedp.SetValue("#email", "bells-shopper@example.com"))
	clickAndWait(t, frame, `button[formaction="/admin/privacy/erase"]`, "#question")
	clickAndWait(t, frame, `button[name=confirm]`, ".banner.ok")
	if got := text(t, frame, ".banner.ok"); !strings.HasPrefix(got, "Erased:") {
		t.Errorf("erasing in the control panel's frame says %q", got)
	}
	bells := stockbell.Contact{ShopID: shop.ID, Email: "bells-shopper@example.com"}
	demoShop, _ := demoSizeM(t, m)
	if here, there := subscriptionsOf(t, m, bells), subscriptionsOf(t, m, stockbell.Contact{ShopID: demoShop.ID, Email: bells.Email}); here != 0 || there != 1 {
		t.Errorf("after erasing in the control panel's frame: %d of the store's subscriptions left, %d of the demo shop's (want 0 and 1)", here, there)
	}

	// A report email's link opens the admin in a tab of its own, where
	// the cookie partitioned to the control panel is not sent: the page
	// asks to sign in (docs/reports.md).
	mail, closeMail := chromedp.NewContext(ctx)
	defer closeMail()
	browse(t, mail, app+"/admin/reports", "h1")
	if chromedp.FromContext(mail).BrowserContextID != chromedp.FromContext(ctx).BrowserContextID {
		t.Fatal("the report link's tab is not in the merchant's browser")
	}
	if h1 := text(t, mail, "h1"); !strings.Contains(h1, "Sign in") {
		t.Errorf("a report link opened outside the control panel shows %q, not the sign-in page", h1)
	}

	// The owner removes the clerk's access (BigCommerce signs the callback
	// a minute after the load): the clerk's next page in the frame says so.
	removal := fake.Claims(e2eStore, clerk)
	removal["iat"] = claims["iat"].(int64) + 60
	resp, err := http.Get(app + "/auth/bigcommerce/remove_user?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(removal, fake.ClientSecret)}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("remove_user answered %d", resp.StatusCode)
	}
	clickAndWait(t, frame, `nav a[href="/admin/settings"]`, `p[role=alert]`)
	if got := text(t, frame, `p[role=alert]`); !strings.Contains(got, "removed your access to Stockbell") {
		t.Errorf("the removed clerk's next page in the frame says %q", got)
	}

	// The owner signs out in the frame: the frame says so.
	clickAndWait(t, ownerFrame, `form.signout button`, `[role=status]`)
	if got := text(t, ownerFrame, `[role=status]`); !strings.Contains(got, "You are signed out") {
		t.Errorf("signing out in the control panel's frame shows %q", got)
	}

	refused := browsertest.New(t)
	browse(t, refused, controlPanel(t, refused)(load("forged")), "#app")
	frame = appFrame(t, refused, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Stockbell could not open")`)
}

// TestBigCommerceSessionEndedInTheControlPanelFrame: a merchant leaves the
// control panel's tab open past the session's 12 hours, and the browser
// drops the session's cookie (its Max-Age). The Flow page's preview,
// refreshed as the merchant types, and the next click in the app's frame
// show, in their frames, that the session ended and to open Stockbell
// again from the control panel (the sign-in page, which may never be
// framed, would leave a blocked frame), and no other way back; opening it
// again there signs in.
func TestBigCommerceSessionEndedInTheControlPanelFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	waitForServer(t, appFrame(t, owner, app), `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	clerk := bigcommercetest.User{ID: 77, Email: "clerk@bells.example"}
	load := app + "/auth/bigcommerce/load?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(fake.Claims(e2eStore, clerk), fake.ClientSecret)}}.Encode()
	ctx := browsertest.New(t)
	panel := controlPanel(t, ctx)
	browse(t, ctx, panel(load), "#app")
	frame := appFrame(t, ctx, app)
	clickAndWait(t, frame, `nav a[href="/admin/flow"]`, `iframe[data-step="1"]`)

	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, storage.ClearCookies, storage.ClearCookiesParams{BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		return err
	}))
	// The merchant types in a message: its preview, a frame of the admin
	// in the control panel's frame, says the session ended.
	browsertest.Eval[bool](t, frame, `(document.querySelector("#s1_body").focus(), true)`)
	browsertest.Do(t, frame, chromedp.KeyEvent(" Typed after the session ended."))
	preview := frameWhere(t, ctx, "the preview of the typed text", func(u string) bool {
		return strings.HasPrefix(u, app+"/admin/flow/preview") && strings.Contains(u, "Typed")
	})
	waitAcrossPages(t, preview, `document.body !== null && document.body.innerText.includes("Your session has ended")`)

	clickAndWait(t, frame, `nav a[href="/admin/settings"]`, `p[role=alert]`)
	if got := text(t, frame, `main, body`); !strings.Contains(got, "Your session has ended") || !strings.Contains(got, "Open Stockbell again from your store's control panel") {
		t.Errorf("the next click in the frame after the session ended shows %q", got)
	}
	wantOnlyTheControlPanelsWay(t, "the page in the frame after the session ended", text(t, frame, `body`))

	browse(t, ctx, panel(load), "#app")
	waitForServer(t, appFrame(t, ctx, app), `document.body !== null && document.body.innerText.includes("Sign out (clerk@bells.example)")`)
}

// wantOnlySubscription fails unless data, a contact's data downloaded
// from the privacy page, is the shop's and lists its subscription id and
// no other.
func wantOnlySubscription(t *testing.T, what, data, shop string, id int64) {
	t.Helper()
	var export struct {
		Shop string `json:"shop"`
		Data struct {
			Subscriptions []struct {
				ID int64 `json:"id"`
			} `json:"subscriptions"`
		} `json:"data"`
	}
	err := json.Unmarshal([]byte(data), &export)
	if subs := export.Data.Subscriptions; err != nil || export.Shop != shop || len(subs) != 1 || subs[0].ID != id {
		t.Errorf("%s is not %s's subscription %d alone (%v):\n%.600s", what, shop, id, err, data)
	}
}

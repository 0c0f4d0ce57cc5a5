package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestShopifyFrameSettingsSpeakToTheMerchant: in the Shopify admin's
// frame, Settings and API keys give no terminal command (a Shopify
// merchant has no terminal on the server; an operator, signed in by a
// one-time link, still sees them), and Settings' invite section says how
// a colleague gets Stockbell in Shopify (the owner gives the staff member
// the app's permission, and they open it from the Shopify admin) rather
// than emailing a sign-in link that opens it outside Shopify.
func TestShopifyFrameSettingsSpeakToTheMerchant(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	frame := inShopifyAdmin(t, browsertest.New(t), m, fake, shopifyAppLink(fake, "/admin/settings"))
	waitForServer(t, frame, `document.querySelector("#invite-heading") !== null`)
	if main := text(t, frame, "main"); strings.Contains(main, "From a terminal") || strings.Contains(main, "stockbell settings") {
		t.Errorf("Settings in the Shopify admin gives a terminal command:\n%s", main)
	}
	invite := text(t, frame, `section[aria-labelledby=invite-heading]`)
	for _, want := range []string{"Users", "Stockbell", "Shopify admin"} {
		if !strings.Contains(invite, want) {
			t.Errorf("the invite section does not say %q:\n%s", want, invite)
		}
	}
	if n := browsertest.Eval[int](t, frame, `document.querySelectorAll('section[aria-labelledby=invite-heading] form, input[type=email]').length`); n != 0 {
		t.Errorf("the invite section in the Shopify admin still emails a sign-in link (%d form elements):\n%s", n, invite)
	}
	clickAndWait(t, frame, `nav.menu a[href^="/admin/api-keys?"]`, `main h1`)
	if main := text(t, frame, "main"); strings.Contains(main, "From a terminal") || strings.Contains(main, "apikey create") {
		t.Errorf("API keys in the Shopify admin gives a terminal command:\n%s", main)
	}
}

// TestShopifyFrameRefusesAnInvitationPostedDirectly: in the Shopify
// admin's frame, an invitation posted to /admin/invite although Settings
// offers none (a form of an older page, or one written by hand) emails
// nothing: the Settings page comes back with the reason shown in the
// invite section, saying how Shopify staff get access.
func TestShopifyFrameRefusesAnInvitationPostedDirectly(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	frame := inShopifyAdmin(t, browsertest.New(t), m, fake, shopifyAppLink(fake, "/admin/settings"))
	// The page's deferred admin script, which adds a fresh session token
	// to a form as it is sent, runs only once the document is parsed: a
	// form sent before it posts no token.
	waitForServer(t, frame, `document.readyState === "complete" && document.querySelector("#invite-heading") !== null`)
	browsertest.Eval[bool](t, frame, `(() => {
		const action = new URL(location.href);
		action.pathname = "/admin/invite";
		action.searchParams.delete("id_token");
		const form = document.createElement("form");
		form.method = "post";
		form.action = action.toString();
		form.innerHTML = '<input type="email" name="email" value="colleague@example.com">';
		document.body.dataset.left = "1";
		document.body.append(form);
		form.requestSubmit();
		return true;
	})()`)
	waitAcrossPages(t, frame, `document.body !== null && !document.body.dataset.left && document.querySelector("#invite-heading") !== null`)
	reason := browsertest.Eval[string](t, frame, `(() => {
		const p = document.querySelector("section[aria-labelledby=invite-heading] [role=alert]");
		return p && p.checkVisibility() ? p.innerText : "";
	})()`)
	for _, want := range []string{"Shopify admin", "Users", "Stockbell"} {
		if !strings.Contains(reason, want) {
			t.Errorf("the refused invitation's reason, as shown, does not say %q: %q\n%s", want, reason, text(t, frame, "main"))
		}
	}
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	noErr(t, err)
	if sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID}); err != nil || len(sent) != 0 {
		t.Errorf("an invitation was sent for a Shopify shop: %+v %v", sent, err)
	}
}

// TestBigCommerceFrameSettingsInviteByEmail: in a BigCommerce control
// panel's frame, Settings and API keys give no terminal command either
// (the store's user has no terminal on the server), and the invite
// section still emails a one-time sign-in link: a BigCommerce store's
// staff are not given the app by Shopify's permissions.
func TestBigCommerceFrameSettingsInviteByEmail(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)
	clickAndWait(t, frame, `nav a[href="/admin/settings"]`, `#invite-heading`)
	if main := text(t, frame, "main"); strings.Contains(main, "From a terminal") {
		t.Errorf("Settings in the control panel gives a terminal command:\n%s", main)
	}
	if n := browsertest.Eval[int](t, frame, `document.querySelectorAll('section[aria-labelledby=invite-heading] form input[type=email]').length`); n != 1 {
		t.Errorf("the invite section in the control panel has %d email fields:\n%s", n, text(t, frame, `section[aria-labelledby=invite-heading]`))
	}
	clickAndWait(t, frame, `nav a[href="/admin/api-keys"]`, `main h1`)
	if main := text(t, frame, "main"); strings.Contains(main, "From a terminal") {
		t.Errorf("API keys in the control panel gives a terminal command:\n%s", main)
	}
}

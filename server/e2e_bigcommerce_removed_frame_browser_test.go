package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBigCommerceRemovedUserIsSentBackThroughTheControlPanel: a clerk has
// Stockbell open in the control panel's frame when the store's owner
// removes their access. The clerk's next page in the frame says so, and
// that the way back is the control panel's: the owner gives them the app
// again under Users, then they open it from the control panel; not an
// operator's one-time link or the admin link command, which do not apply
// there. Opening it again once granted signs the clerk in, in the frame.
// The owner's Sign out in the frame says to open Stockbell again from the
// control panel, not to ask for a link, nor to sign in "as below" where
// nothing below signs in. The test's server runs in development, and
// neither page sends the user to the development start page's demo shop,
// which has nothing to do with the control panel.
func TestBigCommerceRemovedUserIsSentBackThroughTheControlPanel(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	ownerFrame := appFrame(t, owner, app)
	waitForServer(t, ownerFrame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	clerk := bigcommercetest.User{ID: 77, Email: "clerk@bells.example"}
	claims := fake.Claims(e2eStore, clerk)
	load := func() string {
		return app + "/auth/bigcommerce/load?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(claims, fake.ClientSecret)}}.Encode()
	}
	ctx := browsertest.New(t)
	panel := controlPanel(t, ctx)
	browse(t, ctx, panel(load()), "#app")
	frame := appFrame(t, ctx, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (clerk@bells.example)")`)

	removal := fake.Claims(e2eStore, clerk)
	removal["iat"] = claims["iat"].(int64) + 60
	resp, err := http.Get(app + "/auth/bigcommerce/remove_user?" + url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(removal, fake.ClientSecret)}}.Encode())
	noErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("remove_user answered %d", resp.StatusCode)
	}
	clickAndWait(t, frame, `nav a[href="/admin/settings"]`, `p[role=alert]`)
	if got := text(t, frame, `p[role=alert]`); !strings.Contains(got, "removed your access to Stockbell") {
		t.Errorf("the removed clerk's next page in the frame says %q", got)
	}
	page := text(t, frame, `body`)
	if !strings.Contains(page, "Ask your store's owner to give you Stockbell again in the control panel") {
		t.Errorf("the removed clerk's page in the frame does not send them back through the control panel:\n%s", page)
	}
	wantOnlyTheControlPanelsWay(t, "the removed clerk's page in the frame", page)

	// The owner grants the app again: the clerk opens it from the control
	// panel, which signs them in.
	claims["iat"] = removal["iat"].(int64) + 60
	browse(t, ctx, panel(load()), "#app")
	waitForServer(t, appFrame(t, ctx, app), `document.body !== null && document.body.innerText.includes("Sign out (clerk@bells.example)")`)

	clickAndWait(t, ownerFrame, `form.signout button`, `[role=status]`)
	page = text(t, ownerFrame, `body`)
	if !strings.Contains(page, "You are signed out.") || !strings.Contains(page, "Open Stockbell again from your store's control panel") {
		t.Errorf("the signed-out page in the control panel's frame:\n%s", page)
	}
	wantOnlyTheControlPanelsWay(t, "the signed-out page in the control panel's frame", page)
}

// wantOnlyTheControlPanelsWay fails if page, a sign-in page shown in the
// control panel's frame (what), offers a way back that is not the control
// panel's: a one-time link or the command that makes one, a form "below"
// that is not there, or the development start page's demo shop.
func wantOnlyTheControlPanelsWay(t *testing.T, what, page string) {
	t.Helper()
	for _, elsewhere := range []string{"one-time link", "admin link", "as below", "start page", "demo shop"} {
		if strings.Contains(page, elsewhere) {
			t.Errorf("%s says %q, which does not apply inside the control panel:\n%s", what, elsewhere, page)
		}
	}
}

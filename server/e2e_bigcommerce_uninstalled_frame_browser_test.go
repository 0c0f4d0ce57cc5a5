package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBigCommerceUninstallShowsInTheControlPanelFrame: the owner has
// Stockbell open in the control panel's frame when the app is uninstalled
// (BigCommerce calls the uninstall callback, the API refusing the store's
// token). The uninstall erases the users' access with the rest, and the
// owner's next click in the frame says that Stockbell was uninstalled,
// not that the shop's owner removed their access, and to install it again
// from the control panel, not to ask an operator for a one-time link, nor
// (the test's server runs in development) to try the start page's demo shop.
// Installing it again there opens the dashboard in the frame.
func TestBigCommerceUninstallShowsInTheControlPanelFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	install := app + "/auth/bigcommerce/callback?"
	owner := browsertest.New(t)
	panel := controlPanel(t, owner)
	browse(t, owner, panel(install+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	resp, err := http.Get(app + "/auth/bigcommerce/uninstall?" + url.Values{"signed_payload_jwt": {fake.Uninstall(e2eStore, e2eOwner)}}.Encode())
	noErr(t, err)
	resp.Body.Close()
	eventually(t, m, "the store uninstalled", func() bool {
		shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformBigCommerce, "stores/"+e2eStore)
		return err == nil && !shop.Active()
	})

	clickAndWait(t, frame, `nav a[href="/admin/settings"]`, `p[role=alert]`)
	if got := text(t, frame, `p[role=alert]`); !strings.Contains(got, "Stockbell was uninstalled from your shop") {
		t.Errorf("the owner's next page in the frame after the uninstall says %q", got)
	}
	page := text(t, frame, `body`)
	if !strings.Contains(page, "Install Stockbell again from your store's control panel") {
		t.Errorf("the page after the uninstall does not send the owner to the control panel:\n%s", page)
	}
	wantOnlyTheControlPanelsWay(t, "the page after the uninstall in the frame", page)

	browse(t, owner, panel(install+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	waitForServer(t, appFrame(t, owner, app), `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)
}

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBigCommerceOutsideLinksLeaveTheAppInItsFrame: the owner opens every
// page of the menu in the control panel's frame; a link to another site
// (the Webhooks page's Standard Webhooks) opens in a tab of its own, as
// the frame's sandbox allows, rather than in the frame, which would leave
// the control panel showing that site where Stockbell was. Clicking it
// opens the tab and the frame keeps the Webhooks page.
func TestBigCommerceOutsideLinksLeaveTheAppInItsFrame(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)

	pages := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("nav a[href]")].map((a) => a.getAttribute("href"))`)
	for _, page := range pages {
		clickAndWait(t, frame, fmt.Sprintf(`nav a[href=%q]`, page), "main h1")
		inFrame := browsertest.Eval[[]string](t, frame, `[...document.querySelectorAll("a[href]")]
			.filter((a) => a.origin !== location.origin && a.target !== "_blank").map((a) => a.href)`)
		if len(inFrame) > 0 {
			t.Errorf("%s links to other sites in the frame: %v", page, inFrame)
		}
	}

	clickAndWait(t, frame, `nav a[href="/admin/webhooks"]`, "main h1")
	const spec = "https://www.standardwebhooks.com/"
	browsertest.Do(t, frame, chromedp.Click(`a[href="`+spec+`"]`))
	deadline := time.Now().Add(serverWait)
	for tab := false; !tab; {
		infos, err := chromedp.Targets(owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.URL == spec && info.Type == "iframe" {
				t.Fatal("the Standard Webhooks link opened in the control panel's frame")
			}
			tab = tab || (info.URL == spec && info.Type == "page")
		}
		if time.Now().After(deadline) {
			t.Fatal("the Standard Webhooks link opened no tab")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if at := browsertest.Eval[string](t, frame, `location.pathname`); at != "/admin/webhooks" {
		t.Errorf("after the link opened its tab the frame shows %s", at)
	}
}

package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestBigCommerceInstallPageNamesTheStorefront: the owner installs
// Stockbell from the control panel and opens its Install page in the
// frame. It says where the control panel takes the script (Script
// Manager, as docs/bigcommerce.md says). A BigCommerce store's Stockbell domain (stores/{hash}) names the
// store to BigCommerce's API, not a site: the page names the storefront's
// domain as the shop's own, suggests a page to check as BigCommerce
// writes its product pages (/sample-shirt/, not Shopify's /products/…),
// and refuses another site's page naming the storefront's domain.
func TestBigCommerceInstallPageNamesTheStorefront(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_PUBLIC_URL": "https://ADDR"})
	app := "http://" + strings.TrimPrefix(m.Config.PublicURL, "https://")
	owner := browsertest.New(t)
	browse(t, owner, controlPanel(t, owner)(app+"/auth/bigcommerce/callback?"+fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode()), "#app")
	frame := appFrame(t, owner, app)
	waitForServer(t, frame, `document.body !== null && document.body.innerText.includes("Sign out (owner@bells.example)")`)
	eventually(t, m, "the storefront's domain read from the store", func() bool {
		shop, err := m.DB.FindShopByDomain(t.Context(), "bigcommerce", "stores/"+e2eStore)
		return err == nil && shop.PrimaryDomain == e2eStorefront
	})

	clickAndWait(t, frame, `nav a[href="/admin/install"]`, `#origins-heading`)
	if button := text(t, frame, `section[aria-labelledby=button-heading]`); !strings.Contains(button,
		"Storefront › Script Manager › Create a Script") {
		t.Errorf("the Install page does not say where BigCommerce takes the script:\n%s", button)
	}
	origins := text(t, frame, `section[aria-labelledby=origins-heading] p`)
	if !strings.Contains(origins, "own domain ("+e2eStorefront+")") || strings.Contains(origins, "stores/") {
		t.Errorf("the Install page names the store's own domains as %q", origins)
	}
	example := browsertest.Eval[string](t, frame, `document.querySelector("#url").placeholder`)
	if example != "https://"+e2eStorefront+"/…/" {
		t.Errorf("the page to check is suggested as %q, not as BigCommerce writes a product page", example)
	}

	browsertest.Do(t, frame, chromedp.SetValue("#url", "https://elsewhere.example/sample-shirt/"))
	clickAndWait(t, frame, `input[name=action][value=check] ~ .actions button`, `#url-error`)
	if got := text(t, frame, "#url-error"); !strings.Contains(got, "("+e2eStorefront+")") || strings.Contains(got, "stores/") {
		t.Errorf("another site's page is refused with %q", got)
	}
}

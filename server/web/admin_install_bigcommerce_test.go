package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// bigCommerceThemeEdits reads from docs/bigcommerce.md what a merchant
// adds to a Cornerstone theme: the product view's marker (Handlebars),
// then the updateView and constructor additions (JavaScript), which
// snippet/bigcommerce_browser_test.go runs in Chromium.
func bigCommerceThemeEdits(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/bigcommerce.md")
	if err != nil {
		t.Fatal(err)
	}
	var edits []string
	for _, m := range regexp.MustCompile("(?s)```(?:handlebars|js)\n(.*?)```").FindAllStringSubmatch(string(raw), -1) {
		edits = append(edits, strings.TrimSpace(m[1]))
	}
	if len(edits) != 3 {
		t.Fatalf("docs/bigcommerce.md has %d theme edits, want the marker and the two script additions", len(edits))
	}
	return edits
}

// TestBigCommerceInstallPageGivesTheThemeEdits: a BigCommerce store's
// Install page gives the theme edits docs/bigcommerce.md gives, each in
// the file Cornerstone keeps it in: the marker whose variant the theme's
// script sets (empty in the template, then the chosen variant's v3 id),
// and the two script additions that set it. The generic marker, whose
// VARIANT_ID a BigCommerce merchant would fill with Stencil's variantId
// (which matches nothing in Stockbell) and whose availability would stay
// "false" for every variant, is not offered.
func TestBigCommerceInstallPageGivesTheThemeEdits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		p := f.signIn(t, shop).get("/admin/install")
		wantStatus(t, p, http.StatusOK, "the install page of a BigCommerce store")
		var shown []string
		for _, m := range regexp.MustCompile(`(?s)<pre><code>(.*?)</code></pre>`).FindAllStringSubmatch(p.Body, -1) {
			shown = append(shown, strings.TrimSpace(html.UnescapeString(m[1])))
		}
		for _, edit := range bigCommerceThemeEdits(t) {
			if !slices.Contains(shown, edit) {
				t.Errorf("the install page does not give the docs' theme edit\n%s", edit)
			}
		}
		text := visibleText(p.Body)
		for _, want := range []string{"templates/components/products/product-view.html", "assets/js/theme/common/product-details.js",
			"updateView(data, content)", "v3_variant_id", "ProductDetails constructor"} {
			if !strings.Contains(text, want) {
				t.Errorf("the install page does not name %s", want)
			}
		}
		if strings.Contains(text, "VARIANT_ID") {
			t.Errorf("the install page offers the generic marker to a BigCommerce store")
		}
	})
}

// TestPageCheckOfAStencilPageSaysTheThemesScriptNamesTheVariant: a
// BigCommerce product page as Stencil serves it, with the Script
// Manager's script and the docs' marker, names no variant: the theme's
// script names it once the page runs, which the check, reading the page
// as served, cannot see. The report says so, and says how to see it by
// hand, rather than "Ready" (which a page whose theme lacks the
// updateView addition, where the button never shows, was told too). A
// page whose markers name their variants is still ready.
func TestPageCheckOfAStencilPageSaysTheThemesScriptNamesTheVariant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		marker := strings.ReplaceAll(bigCommerceThemeEdits(t)[0], "{{product.title}}", "Sample Shirt")
		pages := map[string]string{}
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(pages[r.URL.Path])) }))
		t.Cleanup(front.Close)
		shop, err := db.InstallShop(t.Context(), stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: "stores/abc123",
			PrimaryDomain: strings.TrimPrefix(front.URL, "http://"), Name: "Bells"})
		if err != nil {
			t.Fatal(err)
		}
		script := `<script src="http://localhost/snippet.js" data-shop="` + shop.PublicKey + `" defer></script>`
		pages["/sample-shirt/"] = `<form data-cart-item-add>` + marker + `</form>` + script
		pages["/sample-mug/"] = `<div data-stockbell-variant="601" data-stockbell-available="false"></div>` + script
		b := f.signIn(t, shop)
		token := b.get("/admin/install").csrf(t)
		report := regexp.MustCompile(`(?s)<div class="report".*?</div>`)
		check := func(path string) string {
			p := b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"check"}, "url": {front.URL + path}})
			wantStatus(t, p, http.StatusOK, "checking "+path)
			return html.UnescapeString(visibleText(report.FindString(p.Body)))
		}
		stencil := check("/sample-shirt/")
		if strings.Contains(stencil, "Ready: the button will show on sold-out variants") {
			t.Errorf("a Stencil page whose marker names no variant is reported ready:\n%s", stencil)
		}
		for _, want := range []string{"1 marked variant found, naming no variant as the page is served",
			"The theme's script names the variant when the page runs (the updateView addition above)",
			"Open a product with a sold-out variant and choose it: the button shows"} {
			if !strings.Contains(stencil, want) {
				t.Errorf("the report of a Stencil page does not say %q:\n%s", want, stencil)
			}
		}
		if named := check("/sample-mug/"); !strings.Contains(named, "Ready: the button will show on sold-out variants") {
			t.Errorf("a page whose marker names its variant is not reported ready:\n%s", named)
		}
	})
}

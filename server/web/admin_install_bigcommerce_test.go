package web_test

import (
	"html"
	"net/http"
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

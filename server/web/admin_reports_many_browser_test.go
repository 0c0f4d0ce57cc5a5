package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestReportsOfAVariantBeyondTheListInChromium: on a phone's width, a
// merchant whose shop has more variants than the Variant filter lists
// picks the product (Late Scarf, after 200 socks), shows it, then picks
// one of its variants and shows that: the page keeps both choices, and
// does not scroll sideways.
func TestReportsOfAVariantBeyondTheListInChromium(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		late := manyVariants(t, db, w.shop.ID)
		signInChromium(t, ctx, f, w.shop)
		browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 800), chromedp.Navigate(f.url+"/admin/reports"))
		waitForNewPage(t, ctx, `!!document.querySelector("#activity-heading")`)
		browsertest.Do(t, ctx, chromedp.SetValue(`select[name=product]`, fmt.Sprint(late.ProductID)), chromedp.Click(`form.filters button[type=submit]`))
		waitForNewPage(t, ctx, fmt.Sprintf(`!!document.querySelector('select[name=variant] option[value="%d"]')`, late.ID))
		browsertest.Do(t, ctx, chromedp.SetValue(`select[name=variant]`, fmt.Sprint(late.ID)), chromedp.Click(`form.filters button[type=submit]`))
		waitForNewPage(t, ctx, fmt.Sprintf(`location.search.includes("variant=%d") && !!document.querySelector("#activity-heading")`, late.ID))
		chosen := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("form.filters select")].map((s) => s.selectedOptions[0].textContent)`)
		if len(chosen) != 3 || chosen[0] != "Late Scarf" || chosen[1] != "Late Scarf – Blue" {
			t.Errorf("the filters show %q, want Late Scarf and Late Scarf – Blue", chosen)
		}
		if browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1`) {
			t.Error("the Reports page at 360 px scrolls sideways")
		}
	})
}

package snippet

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// magentoConfigurable reads the configurable product's marker and script
// from docs/magento.md and fills its PHP as Magento renders it: the
// product's name and the children's SKUs and salability, escaped for an
// HTML attribute. The page then runs exactly what the docs tell a theme to
// print.
func magentoConfigurable(t *testing.T, name, children string) string {
	t.Helper()
	raw, err := os.ReadFile("../docs/magento.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(raw), "### Configurable products")
	m := regexp.MustCompile("(?s)```php\n<\\?php.*?\\?>\n(.*?)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("docs/magento.md gives no configurable product template")
	}
	out := strings.NewReplacer(
		"<?= $escaper->escapeHtmlAttr($_product->getName()) ?>", html.EscapeString(name),
		"<?= $escaper->escapeHtmlAttr(json_encode($children)) ?>", html.EscapeString(children),
	).Replace(m[1])
	if strings.Contains(out, "<?") {
		t.Fatalf("PHP left in the docs' template:\n%s", out)
	}
	return out
}

// A Luma-like configurable product page with the docs' template: Luma
// writes the chosen child's id into selected_configurable_option when a
// drop-down changes; the template's script copies that child's SKU and
// salability onto the marker, and the snippet follows it.
func TestMagentoConfigurableTemplateFromTheDocs(t *testing.T) {
	s := newStorefront(t, "")
	marker := magentoConfigurable(t, "Alpine Wool Sweater",
		`{"21":{"sku":"SWEATER-M","available":false},"22":{"sku":"SWEATER-S","available":true}}`)
	theme := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
document.addEventListener("stockbell:ready", (e) => stockbellEvents.push({name: "ready", detail: e.detail}))</script>
<script src="`+s.app.URL+`/snippet.js" data-shop="shop-key-123" defer></script></head><body>
<form id="product_addtocart_form"><input type="hidden" name="selected_configurable_option" value="">
<select id="size"><option value="">Choose an Option...</option><option value="21">M</option><option value="22">S</option></select>
<button type="submit" id="product-addtocart-button">Add to Cart</button></form>
<script>document.getElementById("size").addEventListener("change", (e) => {
	document.querySelector("input[name=selected_configurable_option]").value = e.target.value; });</script>
`+marker+`</body></html>`)
	}))
	t.Cleanup(theme.Close)
	ctx := newBrowser(t)
	open(t, ctx, theme.URL+"/")
	if eval[bool](t, ctx, `shown(button())`) {
		t.Error("a button shows before any option is chosen")
	}
	choose := func(id string) {
		eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("size"); s.value = "`+id+`";
			s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	}
	choose("21")
	waitFor(t, ctx, `shown(button())`)
	if got := notifyButtonNames(t, ctx); !slices.Equal(got, []string{"Notify me when available – Alpine Wool Sweater"}) {
		t.Errorf("notify buttons' accessible names %q", got)
	}
	choose("22")
	waitFor(t, ctx, `!shown(button())`)
	choose("21")
	waitFor(t, ctx, `shown(button()) && document.querySelector("[data-stockbell-variant]").getAttribute("data-stockbell-variant") == "SWEATER-M"`)
}

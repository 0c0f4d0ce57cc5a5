package main

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestPrestaShopConnectPageInChromium: a merchant connects a shop in
// headless Chromium. A wrong key is explained above the form, the key
// field marked invalid and the URL kept; the right key shows the module
// secret (whole, on a 360 px screen) and leads to the shop's admin.
func TestPrestaShopConnectPageInChromium(t *testing.T) {
	fake := prestaShopFake(t)
	m := startServerAt(t, nil)
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 800))
	browse(t, ctx, m.URL()+"/auth/prestashop/connect", "#shop_url")
	if differs := browsertest.Eval[string](t, ctx, fieldStyleDiffers("#webservice_key", "#shop_url")); differs != "" {
		t.Errorf("the key field is not drawn as the URL field is: %s", differs)
	}
	browsertest.Do(t, ctx, chromedp.SendKeys("#shop_url", fake.URL()), chromedp.SendKeys("#webservice_key", strings.Repeat("Z", 32)))
	clickAndWait(t, ctx, `button[type=submit]`, "#connect-error")
	if got := text(t, ctx, "#connect-error"); !strings.Contains(got, "refused the webservice key") {
		t.Fatalf("the refusal reads %q", got)
	}
	state := browsertest.Eval[[]string](t, ctx, `[document.querySelector("#webservice_key").getAttribute("aria-invalid") || "",
		document.querySelector("#shop_url").value, document.querySelector("#webservice_key").value]`)
	if state[0] != "true" || state[1] != fake.URL() || state[2] != "" {
		t.Fatalf("after the refusal: key invalid %q, URL %q, key kept %q", state[0], state[1], state[2])
	}

	browsertest.Do(t, ctx, chromedp.SendKeys("#webservice_key", prestashoptest.Key))
	clickAndWait(t, ctx, `button[type=submit]`, "#module-secret")
	secret := text(t, ctx, "#module-secret")
	if len(secret) != 64 || text(t, ctx, "#stockbell-url") != m.URL() {
		t.Fatalf("module secret %q, Stockbell URL %q", secret, text(t, ctx, "#stockbell-url"))
	}
	if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth + 1 ||
		document.querySelector("#module-secret").parentElement.scrollWidth > document.querySelector("#module-secret").parentElement.clientWidth + 1`); overflow {
		t.Error("the connected page overflows a 360 px screen (the secret must be readable whole)")
	}
	browsertest.Screenshot(t, ctx, "prestashop-connected-360")
	clickAndWait(t, ctx, `a[href="/admin"]`, "main")
	if got := browsertest.Eval[string](t, ctx, `location.pathname`); got != "/admin" {
		t.Fatalf("the admin link led to %s", got)
	}
}

// TestPrestaShopProductPageInChromium: the module's product template (the
// real product.tpl, its Smarty variables filled in as PrestaShop would)
// with its follow.js on a page whose PrestaShop event emitter plays the
// theme: the snippet shows no button on the in-stock medium; picking the
// sold-out small (updatedProduct) shows it, and a shopper subscribes to
// 1-11 from it; picking the medium hides it again.
func TestPrestaShopProductPageInChromium(t *testing.T) {
	fake := prestaShopFake(t)
	fake.Do(func(s *prestashoptest.Shop) {
		s.OptionValues[2] = "M"
		s.Products[0].Combinations = append(s.Products[0].Combinations, &prestashoptest.Combination{ID: 12, Price: "0", OptionValues: []int64{2}, Quantity: 3})
	})
	m := startServerAt(t, nil)
	ps := &psShop{m: m, fake: fake, domain: strings.TrimPrefix(fake.URL(), "http://")}
	ps.secret = ps.connectWithJSON(t)
	ps.synced(t, 4)

	page := productPageServer(t, m, fake.URL()+"/")
	ctx := browsertest.New(t)
	browsertest.Open(t, ctx, page.URL+"/boutique/index.php?id_product=1&controller=product")
	if browsertest.Eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("the button shows on the in-stock medium")
	}
	browsertest.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`prestashop.emit("updatedProduct", {id_product_attribute: 11})`))
	browsertest.WaitFor(t, ctx, `shown(button())`)
	if names := browsertest.ButtonNames(t, ctx); !slices.Contains(names, "Notify me when available – "+productName) {
		t.Errorf("button names %q, want the notify button to name the product %q", names, productName)
	}
	browsertest.Click(t, ctx, `button()`)
	browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("grace@example.com"))
	browsertest.Click(t, ctx, `form().querySelector("button[type=submit]")`)
	browsertest.WaitFor(t, ctx, `status().textContent.includes("email you")`)
	if got := browsertest.Eval[string](t, ctx, `events("subscribed")[0].detail.variantId`); got != "1-11" {
		t.Fatalf("subscribed to %q, want 1-11", got)
	}
	browsertest.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("stockbell-dialog").shadowRoot.querySelector("dialog").close()`))
	browsertest.Do(t, ctx, chromedp.Evaluate[chromedp.Void](`prestashop.emit("updatedProduct", {id_product_attribute: 12})`))
	browsertest.WaitFor(t, ctx, `!shown(button())`)
}

// productPageServer plays the shop's storefront on a port of its own: the
// module's follow.js, and the product page (productPage) at any other
// address.
func productPageServer(t *testing.T, m *Main, shopURL string) *httptest.Server {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/modules/stockbell/views/js/follow.js" {
			http.ServeFile(w, r, "../integrations/prestashop/module/stockbell/views/js/follow.js")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, productPage(t, m.URL(), shopURL))
	}))
	t.Cleanup(page.Close)
	return page
}

// productName is the product's name as the module prints it in the marker,
// with the characters that must be escaped in an attribute.
const productName = `Hummingbird T-shirt "Bee" <organic> & co`

// productPage is a product page of the fake shop: PrestaShop's event
// emitter, then what the module's displayProductAdditionalInfo hook prints
// for the medium T-shirt (product.tpl with its variables filled in).
func productPage(t *testing.T, stockbellURL, shopURL string) string {
	t.Helper()
	tpl, err := os.ReadFile("../integrations/prestashop/module/stockbell/views/templates/hook/product.tpl")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"stockbell_url": stockbellURL, "stockbell_shop": shopURL, "stockbell_product": "1",
		"stockbell_attribute": "12", "stockbell_combinations": `{"11":false,"12":true}`, "stockbell_name": productName,
		"stockbell_follow_js": "/modules/stockbell/views/js/follow.js"}
	html := regexp.MustCompile(`(?s)\{\*.*?\*\}`).ReplaceAllString(string(tpl), "")
	html = strings.ReplaceAll(html, "{if $stockbell_available}true{else}false{/if}", "true")
	html = regexp.MustCompile(`\{\$(\w+)[^}]*\}`).ReplaceAllStringFunc(html, func(tag string) string {
		name := regexp.MustCompile(`\{\$(\w+)`).FindStringSubmatch(tag)[1]
		value, ok := vars[name]
		if !ok {
			t.Fatalf("product.tpl uses %s, which the test does not fill", name)
		}
		return template.HTMLEscapeString(value)
	})
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hummingbird T-shirt</title>
<script>
window.stockbellEvents = [];
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}));
// PrestaShop's front-office event emitter (core.js), as themes use it.
window.prestashop = { handlers: {}, on(name, fn) { (this.handlers[name] ||= []).push(fn); },
  emit(name, event) { (this.handlers[name] || []).forEach((fn) => fn(event)); } };
</script></head><body><h1>Hummingbird T-shirt</h1>
<div class="product-actions"><button class="add-to-cart" type="button">Add to cart</button>
<div class="product-additional-info">` + html + `</div></div></body></html>`
}

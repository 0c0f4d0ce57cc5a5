package snippet

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// A Cornerstone-like BigCommerce store. Stencil's option-change answer
// names two ids: variantId (the v2 "variation" id the wishlist uses) and
// v3_variant_id (the catalog v3 variant id, which webhooks and Stockbell's
// BigCommerce catalog use). They differ on purpose here.
type stencilVariant struct {
	Label       string
	ValueID     int
	Default     bool
	VariantID   int // v2 variation id
	V3          int // v3 variant id
	InStock     bool
	Purchasable bool
}

var stencilProducts = map[string]struct {
	ID       int
	Title    string
	Variants []stencilVariant
}{
	"sample-shirt": {167, "Sample Shirt & Tie", []stencilVariant{
		{Label: "Small", ValueID: 100, Default: true, VariantID: 41, V3: 509},
		{Label: "Large", ValueID: 101, VariantID: 42, V3: 510, InStock: true, Purchasable: true},
		{Label: "XL (backorder)", ValueID: 102, VariantID: 43, V3: 511, Purchasable: true},
	}},
	"mug": {206, "Mug", []stencilVariant{{VariantID: 61, V3: 601}}},
}

// docsSnippets reads the theme additions from docs/bigcommerce.md, so that
// the page runs exactly what the docs tell merchants to paste: the two
// scripts, and the product view's marker (Handlebars).
func docsSnippets(t *testing.T) (updateView, constructor template.JS, marker string) {
	t.Helper()
	raw, err := os.ReadFile("../docs/bigcommerce.md")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile("(?s)```handlebars\n(.*?)```").FindStringSubmatch(string(raw)); m != nil {
		marker = m[1]
	}
	blocks := regexp.MustCompile("(?s)```js\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(b[1], "// In updateView"):
			updateView = template.JS(b[1])
		case strings.HasPrefix(b[1], "// In the ProductDetails constructor"):
			constructor = template.JS(b[1])
		}
	}
	if updateView == "" || constructor == "" || marker == "" {
		t.Fatal("docs/bigcommerce.md lacks the updateView or the constructor addition, or the marker")
	}
	return updateView, constructor, marker
}

// stencilRender fills the Handlebars expressions of the docs' marker as
// Stencil does for a product page: {{product.title}}, escaped for HTML.
func stencilRender(t *testing.T, handlebars, title string) template.HTML {
	t.Helper()
	html := regexp.MustCompile(`\{\{\s*([\w.]+)\s*\}\}`).ReplaceAllStringFunc(handlebars, func(expr string) string {
		if name := strings.Trim(expr, "{} "); name != "product.title" {
			t.Fatalf("the docs' marker uses %s, which the test page does not fill", name)
		}
		return template.HTMLEscapeString(title)
	})
	return template.HTML(html)
}

// newStencilStore serves the product pages and Stencil's option-change
// endpoint (/remote/v1/product-attributes/{id}) as the shop, with the
// snippet and a recording subscription endpoint as the app.
func newStencilStore(t *testing.T) *storefront {
	t.Helper()
	updateView, constructor, marker := docsSnippets(t)
	tmpl := template.Must(template.ParseFiles("testdata/cornerstone-product.html"))
	s := &storefront{}
	bundle := mustBuild(t)
	app := http.NewServeMux()
	app.Handle("/snippet.js", bundle.Handler())
	app.Handle("/snippet/", bundle.Handler())
	app.HandleFunc("/api/storefront/v1/subscriptions", s.subscribe)
	s.app = httptest.NewServer(s.recordApp(app))
	shop := http.NewServeMux()
	shop.HandleFunc("GET /{handle}/{$}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := stencilProducts[r.PathValue("handle")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		var options []stencilVariant
		if p.Variants[0].Label != "" {
			options = p.Variants
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := tmpl.Execute(w, map[string]any{"App": s.app.URL, "Shop": "shop.bells.example", "Title": p.Title, "Price": "$19.99",
			"ProductID": p.ID, "Options": options, "JSContext": map[string]any{"productId": p.ID, "themeSettings": map[string]any{}},
			"UpdateViewAddition": updateView, "ConstructorAddition": constructor, "MarkerAddition": stencilRender(t, marker, p.Title)})
		if err != nil {
			t.Error(err)
		}
	})
	shop.HandleFunc("POST /remote/v1/product-attributes/{id}", stencilOptionChange)
	s.shop = httptest.NewServer(s.recordShop(shop))
	t.Cleanup(s.app.Close)
	t.Cleanup(s.shop.Close)
	return s
}

// stencilOptionChange answers like Stencil: the selected variant's data.
func stencilOptionChange(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	for _, p := range stencilProducts {
		if fmt.Sprint(p.ID) != r.PathValue("id") || r.PostForm.Get("product_id") != r.PathValue("id") {
			continue
		}
		for _, v := range p.Variants {
			if v.Label != "" && r.PostForm.Get("attribute[112]") != fmt.Sprint(v.ValueID) {
				continue
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"data":{"sku":"SKU-%d","base":false,"instock":%t,"purchasable":%t,"stock":null,"variantId":%d,"v3_variant_id":%d,
				"price":{"without_tax":{"formatted":"$19.99","value":19.99,"currency":"USD"}}},"content":""}`, v.V3, v.InStock, v.Purchasable, v.VariantID, v.V3)
			return
		}
	}
	http.Error(w, `{"data":{}}`, http.StatusBadRequest)
}

func pickSize(t *testing.T, ctx context.Context, valueID int) {
	t.Helper()
	click(t, ctx, fmt.Sprintf(`document.querySelector('label[for="attribute_rectangle__112_%d"]')`, valueID))
}

// TestStencilButtonReadsTheV3VariantID: on a Cornerstone-like product page
// with the docs' theme additions, the button follows the option-change
// answer's v3_variant_id (not variantId): shown for the sold-out default
// option and named after the product, hidden for an in-stock one and for a backorder, and the
// subscription names the v3 variant id, which Stockbell's BigCommerce
// catalog stores.
func TestStencilButtonReadsTheV3VariantID(t *testing.T) {
	s := newStencilStore(t)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/sample-shirt/")
	waitFor(t, ctx, `document.querySelector("[data-stockbell-variant]").getAttribute("data-stockbell-variant") == "509"`)
	waitFor(t, ctx, `shown(button())`)
	if got := notifyButtonNames(t, ctx); !slices.Equal(got, []string{"Notify me when available – Sample Shirt & Tie"}) {
		t.Errorf("accessible names of the notify buttons %q, want the product named", got)
	}

	pickSize(t, ctx, 101) // Large: in stock
	waitFor(t, ctx, `document.querySelector("[data-stockbell-variant]").getAttribute("data-stockbell-variant") == "510"`)
	waitFor(t, ctx, `!shown(button())`)
	pickSize(t, ctx, 102) // XL: out of stock but purchasable (backorders)
	waitFor(t, ctx, `document.querySelector("[data-stockbell-variant]").getAttribute("data-stockbell-variant") == "511"`)
	if eval[bool](t, ctx, `shown(button())`) {
		t.Error("the button shows for a variant that takes backorders")
	}
	pickSize(t, ctx, 100) // Small: sold out again
	waitFor(t, ctx, `shown(button())`)
	browsertest.Screenshot(t, ctx, "bigcommerce-cornerstone-sold-out")

	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	eval[any](t, ctx, `(() => { field("email").value = "shopper@example.com"; form().querySelector("button[type=submit]").click(); })()`)
	waitFor(t, ctx, `events("subscribed").length == 1`)
	posts := s.posts()
	if len(posts) != 1 {
		t.Fatalf("%d subscription requests", len(posts))
	}
	wantJSON(t, posts[0].Body, map[string]any{
		"shop": "shop.bells.example", "variant_id": "509", "email": "shopper@example.com", "phone": "",
		"channels": []string{"email"}, "sms_consent": false, "marketing_consent": false, "locale": "en",
	})
}

// A product without options asks once when its view starts (the docs'
// constructor addition); its sold-out base variant shows the button.
func TestStencilProductWithoutOptions(t *testing.T) {
	s := newStencilStore(t)
	ctx := newBrowser(t)
	open(t, ctx, s.shop.URL+"/mug/")
	waitFor(t, ctx, `document.querySelector("[data-stockbell-variant]").getAttribute("data-stockbell-variant") == "601"`)
	waitFor(t, ctx, `shown(button())`)
	_, shopSeen := s.seen()
	asked := 0
	for _, p := range shopSeen {
		if p == "/remote/v1/product-attributes/206" {
			asked++
		}
	}
	if asked != 1 {
		t.Fatalf("the option-change endpoint was asked %d times, want once: %v", asked, shopSeen)
	}
}

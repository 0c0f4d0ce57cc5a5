package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
)

// FirstRun serves what a newcomer sees on a development server: the
// landing page /, the demo shop's product pages under /demo with the real
// snippet, and the door into the demo shop's admin. It is mounted in
// development only.
type FirstRun struct {
	Admin   *Admin
	Catalog stockbell.CatalogService
	// Shop is the demo shop.
	Shop *stockbell.Shop
	// Featured is the platform id of the sold-out variant the landing
	// page's steps name (size M of the sweater).
	Featured string
	// SnippetURL is where the product pages load the snippet from.
	SnippetURL string
}

// Register mounts /, /demo, /demo/{handle} and POST /demo/admin; the demo
// pages' paths typed with a trailing slash lead to them.
func (f *FirstRun) Register(s *Server) {
	s.router.HandleFunc("/", f.landing).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/demo", f.productPage).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/demo/{handle}", f.productPage).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/demo/", withoutTrailingSlash).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/demo/{handle}/", withoutTrailingSlash).Methods(http.MethodGet, http.MethodHead)
	s.router.HandleFunc("/demo/admin", f.openAdmin).Methods(http.MethodPost)
}

// withoutTrailingSlash sends a path typed with a trailing slash to the
// page without it, keeping the query.
func withoutTrailingSlash(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimSuffix(r.URL.Path, "/")
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// landing explains the loop and links to the demo shop and its admin.
func (f *FirstRun) landing(w http.ResponseWriter, r *http.Request) {
	nonce, err := f.Admin.issueFormNonce(w, r)
	if err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	soldOut, err := f.featuredSoldOut(r)
	if err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	f.Admin.renderPublic(w, http.StatusOK, "landing", "Welcome", map[string]any{"Nonce": nonce, "Shop": f.Shop, "FeaturedSoldOut": soldOut})
}

// featuredSoldOut reports whether the variant the landing page's steps
// name is sold out, as on the first run; a restock the newcomer simulated
// may have brought it back since.
func (f *FirstRun) featuredSoldOut(r *http.Request) (bool, error) {
	v, err := f.Catalog.FindVariant(r.Context(), f.Shop.ID, f.Featured)
	if err != nil {
		return false, err
	}
	return v.SoldOut(), nil
}

// openAdmin signs the browser in to the demo shop's admin.
func (f *FirstRun) openAdmin(w http.ResponseWriter, r *http.Request) {
	if err := parseAdminForm(w, r); err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	if err := f.Admin.checkFormNonce(w, r); err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	if err := f.Admin.StartSession(w, r, f.Shop.ID, stockbell.AdminUser{Name: "Demo merchant", Email: "merchant@demo.stockbell.localhost"}, DoorDemo); err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, "/admin/products", http.StatusSeeOther)
}

// demoProduct is a demo product page's data.
type demoProduct struct {
	Handle, Title string
	Variants      []*stockbell.VariantWithProduct
	Selected      *stockbell.VariantWithProduct
	// Price is the selected variant's, with the shop's currency.
	Price      string
	Others     []demoLink
	ShopKey    string
	SnippetURL string
}

type demoLink struct{ Path, Title string }

// productPage renders a demo product with its variants' current stock, the
// data attributes the snippet follows, and the snippet itself.
func (f *FirstRun) productPage(w http.ResponseWriter, r *http.Request) {
	variants, _, err := f.Catalog.FindVariants(r.Context(), stockbell.VariantFilter{ShopID: &f.Shop.ID, Limit: 200})
	if err != nil {
		f.Admin.Fail(w, r, nil, err)
		return
	}
	products := groupByProduct(variants)
	handle := mux.Vars(r)["handle"]
	if handle == "" && len(products) > 0 {
		handle = products[0][0].ProductPlatformID
	}
	page := &demoProduct{ShopKey: f.Shop.PublicKey, SnippetURL: f.SnippetURL}
	for _, p := range products {
		if p[0].ProductPlatformID == handle {
			page.Handle, page.Title, page.Variants = handle, p[0].ProductTitle, p
		} else {
			page.Others = append(page.Others, demoLink{Path: demoPath(p[0], products[0][0]), Title: p[0].ProductTitle})
		}
	}
	if page.Variants == nil {
		f.noSuchProduct(w, handle, products)
		return
	}
	page.Selected = page.Variants[0]
	for _, v := range page.Variants {
		if v.PlatformID == r.URL.Query().Get("variant") {
			page.Selected = v
		}
	}
	page.Price = f.price(page.Selected)
	setPagePolicy(w, pagePolicy{Scripts: "'self'", Styles: "'self'"})
	w.Header().Set("Cache-Control", "no-store")
	if err := f.Admin.pages.render(w, http.StatusOK, "public/demo", &AdminView{Title: page.Title, Development: true, Data: page}); err != nil {
		f.Admin.Logger.Error("demo page failed", "err", err)
	}
}

// noSuchProduct answers a demo product page of a handle the demo shop has
// not (mistyped, say) with the demo's products to choose from.
func (f *FirstRun) noSuchProduct(w http.ResponseWriter, handle string, products [][]*stockbell.VariantWithProduct) {
	var links []demoLink
	for _, p := range products {
		links = append(links, demoLink{Path: demoPath(p[0], products[0][0]), Title: p[0].ProductTitle})
	}
	f.Admin.renderPublic(w, http.StatusNotFound, "error", "Page not found", map[string]any{
		"Message": fmt.Sprintf("The demo shop has no product %q. Its products are:", handle), "Links": links, "StartPage": true})
}

// price is a variant's price as the demo's English storefront shows it,
// in the demo shop's currency ("€89.00"); text that is not an amount is
// shown as stored.
func (f *FirstRun) price(v *stockbell.VariantWithProduct) string {
	return moneytext.FormatPrice(moneytext.MerchantLanguage, v.Price, f.Shop.Currency)
}

// groupByProduct groups variants by product, products in catalog order.
func groupByProduct(variants []*stockbell.VariantWithProduct) [][]*stockbell.VariantWithProduct {
	index := map[int64]int{}
	var out [][]*stockbell.VariantWithProduct
	for _, v := range variants {
		i, ok := index[v.ProductID]
		if !ok {
			i = len(out)
			index[v.ProductID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0].ProductID < out[j][0].ProductID })
	return out
}

// demoPath is a product's page: /demo for the first, /demo/HANDLE else.
func demoPath(v, first *stockbell.VariantWithProduct) string {
	if v.ProductID == first.ProductID {
		return "/demo"
	}
	return "/demo/" + strings.TrimPrefix(v.ProductPlatformID, "/")
}

package web

import (
	"net/http"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
)

// productsPerPage is the length of one page of products in demand.
const productsPerPage = 50

// productsData is the products-in-demand page.
type productsData struct {
	Rows     []*stockbell.VariantDemand
	Pager    *pager
	Settings *stockbell.RestockSettings
	// Simulate offers "simulate restock" on each row (the demo shop, in development).
	Simulate bool
}

// productsPage lists the variants shoppers wait for, most wanted first,
// with stock, last restock and last batch.
func (a *Admin) productsPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	rows, total, err := a.Subscribers.FindDemand(r.Context(), stockbell.DemandFilter{ShopID: s.ShopID,
		Offset: (page - 1) * productsPerPage, Limit: productsPerPage})
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	data := &productsData{Rows: rows, Simulate: a.simulates(s)}
	if data.Settings, err = a.Settings.FindSettings(r.Context(), s.ShopID); err != nil {
		a.Fail(w, r, s, err)
		return
	}
	view := &AdminView{Shop: s.Shop, Session: s}
	data.Pager = newPager(page, productsPerPage, len(rows), total, func(p int) string { return view.Link("/admin/products", "page", p) })
	a.Render(w, r, s, http.StatusOK, "products", "Products in demand", data)
}

// simulates reports whether the session's shop offers "simulate restock":
// only the demo shop, only in development.
func (a *Admin) simulates(s *AdminSession) bool {
	return a.opts.Development && s.Shop != nil && s.Shop.Platform == stockbell.PlatformDemo
}

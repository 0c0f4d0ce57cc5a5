package web

import (
	"html/template"
	"net/http"
	"net/url"

	stockbell "github.com/stockbell/stockbell"
)

var adminHomePage = template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stockbell</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}</style>
</head><body>
<h1>Stockbell</h1>
{{if .Shop}}<p>Stockbell is {{if .Shop.Active}}installed{{else}}no longer installed{{end}} for <strong>{{.Shop.Domain}}</strong>.</p>
<p>Add the “Notify me when available” button to your theme to start collecting subscribers; sold-out variants will show it automatically.</p>
{{else}}<p>No shop named {{.Domain}} has installed Stockbell.</p>{{end}}
</body></html>`))

// RegisterAdmin serves the page a merchant lands on after installing
// (GET /admin?shop=DOMAIN). It shows only what the shop's domain already
// tells anyone: whether Stockbell is installed there.
func (s *Server) RegisterAdmin(shops stockbell.ShopService) {
	s.router.HandleFunc(AdminPath, func(w http.ResponseWriter, r *http.Request) {
		domain := r.URL.Query().Get("shop")
		data := struct {
			Shop   *stockbell.Shop
			Domain string
		}{Domain: domain}
		status := http.StatusOK
		if shop, err := shops.FindShopByKey(r.Context(), domain); err == nil && domain != "" {
			data.Shop = shop
		} else {
			status = http.StatusNotFound
		}
		WriteHTML(w, status, adminHomePage, data)
	}).Methods(http.MethodGet)
}

// AdminPath is the merchant's landing page; installs end there.
const AdminPath = "/admin"

// adminHome is where a merchant lands after installing the shop.
func adminHome(shop *stockbell.Shop) string {
	return AdminPath + "?shop=" + url.QueryEscape(shop.Domain)
}

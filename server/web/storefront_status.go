package web

import (
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// StatusPath is the storefront API route the snippet asks, once per page
// with a product, whether its shop can take subscriptions from this page.
const StatusPath = "/api/storefront/v1/status"

// statusAnswer is the answer for a shop that takes subscriptions here.
type statusAnswer struct {
	Status string `json:"status"` // "ok"
}

// handleStatus answers GET /api/storefront/v1/status?shop=KEY: 200 when
// the shop is installed and the page's origin is one of its storefronts,
// else the error the snippet shows theme developers in the console. Every
// answer, errors included, is readable by the page (the errors carry no
// shop data), so a shop that is unknown or uninstalled is visible rather
// than a silent CORS failure.
func (h *storefrontHandler) handleStatus(w http.ResponseWriter, r *http.Request) {
	if h.shopOfPage(w, r, r.URL.Query().Get("shop")) == nil {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	WriteJSON(w, http.StatusOK, statusAnswer{Status: "ok"})
}

// refuse answers a refused storefront request with its error, readable by
// the page that asked (CORS for its origin: the answer names no shop data),
// and logs the reason at debug level for whoever is setting the shop up.
func (h *storefrontHandler) refuse(w http.ResponseWriter, r *http.Request, err error, reason string) {
	if origin := r.Header.Get("Origin"); origin != "" {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Origin") {
			w.Header().Add("Vary", "Origin")
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	h.Logger.DebugContext(r.Context(), "storefront request refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"),
		"shop", r.URL.Query().Get("shop"), "reason", reason)
	h.server.Error(w, r, err)
}

// whyUnknown says, for the log only, why a shop key found no shop.
func (h *storefrontHandler) whyUnknown(r *http.Request, key string) string {
	if strings.TrimSpace(key) == "" {
		return "no shop key"
	}
	shop, err := h.Shops.FindShopByKey(r.Context(), strings.TrimSpace(key))
	switch {
	case err != nil:
		return "unknown shop " + key
	case !shop.Active():
		return "shop " + shop.Domain + " is uninstalled"
	}
	return "shop " + key + " not available"
}

// originRefusal is the error for a page whose origin is not one of the
// shop's storefronts.
func (h *storefrontHandler) originRefusal(r *http.Request) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "This site (%s) is not one of the shop's storefronts: add it under Install › Storefront origins in the Stockbell admin.", r.Header.Get("Origin"))
}

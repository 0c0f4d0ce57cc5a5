package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// allowOrigin sets the CORS headers when the request's Origin is one of the
// shop's storefronts, and reports whether the request may proceed. A request
// without an Origin (a server, curl) proceeds without CORS headers; a
// browser request from any other site is refused, because a simple CORS
// request reaches the server even when the browser will hide the answer.
func (h *storefrontHandler) allowOrigin(w http.ResponseWriter, r *http.Request, shop *stockbell.Shop) bool {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin == "" {
		return true
	}
	if !h.originAllowed(r.Context(), shop, origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return true
}

// handlePreflight answers OPTIONS for clients that send JSON with its own
// content type. The shop is not known before the body, so any origin that is
// a storefront of some installed shop (its platform or primary domain, or an
// origin its merchant added), or loopback in development, is allowed to ask; the
// POST itself is checked against its shop.
func (h *storefrontHandler) handlePreflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin == "" || !h.knownOrigin(r.Context(), origin) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// originAllowed: the shop's platform domain, its primary domain, origins the
// merchant added, and loopback origins in development.
func (h *storefrontHandler) originAllowed(ctx context.Context, shop *stockbell.Shop, origin string) bool {
	u, ok := parseOrigin(origin)
	if !ok {
		return false
	}
	if h.Development && isLoopbackHost(u.Hostname()) {
		return true
	}
	if namesStorefront(shop.Domain, u) || namesStorefront(shop.PrimaryDomain, u) {
		return strings.HasPrefix(origin, "https://")
	}
	if h.Origins == nil {
		return false
	}
	extra, err := h.Origins.FindStorefrontOrigins(ctx, shop.ID)
	if err != nil {
		h.Logger.Error("load shop origins", "shop", shop.ID, "err", err)
		return false
	}
	normalized, err := stockbell.NormalizeOrigin(origin)
	if err != nil {
		return false
	}
	for _, o := range extra {
		if o == normalized {
			return true
		}
	}
	return false
}

func (h *storefrontHandler) knownOrigin(ctx context.Context, origin string) bool {
	u, ok := parseOrigin(origin)
	if !ok {
		return false
	}
	if h.Development && isLoopbackHost(u.Hostname()) {
		return true
	}
	// An uninstalled shop's POSTs are refused, so its domains may not ask.
	// A store on a port of its own is named with it (magento.example:8443);
	// one named by its IPv6 address, with the address in its brackets.
	keys := []string{hostWithoutPort(u)}
	if u.Host != keys[0] {
		keys = append(keys, u.Host)
	} else if twin := wwwTwin(u.Host); twin != "" {
		keys = append(keys, twin)
	}
	for _, key := range keys {
		if shop, err := h.Shops.FindShopByKey(ctx, key); err == nil && shop.Active() && h.originAllowed(ctx, shop, origin) {
			return true
		}
	}
	if h.Origins == nil {
		return false
	}
	known, err := h.Origins.IsStorefrontOrigin(ctx, origin)
	if err != nil {
		h.Logger.ErrorContext(ctx, "look up a storefront origin", "origin", origin, "err", err)
	}
	return known
}

// parseOrigin parses an origin such as https://shop.example.
func parseOrigin(origin string) (*url.URL, bool) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, false
	}
	return u, true
}

// namesStorefront reports whether a shop's domain or primary domain names
// the origin's storefront: its host, on any port; or, for a name with a
// port (a Magento store or PrestaShop shop served on a port other than
// https's, magento.example:8443), that host and port only. A store named
// by its IPv6 address is a host as a name is: [2001:db8::1] names no port
// (stockbell.HostHasPort), [2001:db8::1]:8443 names one.
//
// A name stored with its default port (magento.example:443) names the
// host, as browsers never write that port in an Origin.
func namesStorefront(name string, origin *url.URL) bool {
	name = stockbell.DomainWithoutDefaultPort(strings.ToLower(name))
	if stockbell.HostHasPort(name) {
		return strings.EqualFold(stockbell.HostWithoutDefaultPort(origin), name)
	}
	host := hostWithoutPort(origin)
	return name != "" && (strings.EqualFold(host, name) || strings.EqualFold(host, wwwTwin(name)))
}

// wwwTwin is the other name of a storefront's registered domain: the bare
// domain of www.shop.example, www.shop.example of shop.example. A store
// answers on both, redirecting one to its primary domain, and whoever
// holds the domain holds both: the storefront API accepts sign-ups from
// both and the page check checks pages of both. Only a name without a
// port has one, and only a domain of two labels or more (www.com has none).
func wwwTwin(name string) string {
	name = strings.ToLower(name)
	if name == "" || strings.ContainsAny(name, ":/[]") || net.ParseIP(name) != nil {
		return ""
	}
	if bare, ok := strings.CutPrefix(name, "www."); ok {
		if !strings.Contains(bare, ".") {
			return ""
		}
		return bare
	}
	return "www." + name
}

// hostWithoutPort is u's host without its port: a name, or an IPv6
// address in its brackets, as a shop's domain writes it ([2001:db8::1]).
func hostWithoutPort(u *url.URL) string {
	if port := u.Port(); port != "" {
		return u.Host[:len(u.Host)-len(port)-1]
	}
	return u.Host
}

func isLoopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.HasSuffix(host, ".localhost")
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// EmbedHandle is the Shopify theme app extension's app embed block
// (extensions/stockbell-embed/blocks/stockbell-embed.liquid).
const EmbedHandle = "stockbell-embed"

// installData is the install page.
type installData struct {
	ScriptTag string
	// ThemeEditor is the deep link turning on the app embed (Shopify).
	ThemeEditor string
	Origins     []string
	Report      *PageReport
	CheckURL    string
	// CheckExample is the kind of address "Check my product page" takes.
	CheckExample string
	// OwnDomains names the shop's storefront domains, which need no
	// origin of their own ("domain (shop.example)").
	OwnDomains string
	// Origin is the origin to add as typed, shown again when refused.
	Origin     string
	Error      string
	ErrorField string
	Docs       string
	// Module is where the platform's Stockbell module is in the
	// repository, when the platform has one: it prints the script and the
	// markers, so its merchants add neither by hand.
	Module string
	// Stencil is the theme edits of a BigCommerce store.
	Stencil *stencilThemeEdits
}

// installPage shows the shop's snippet tag for its platform, the theme
// editor link on Shopify, the storefront origins allowed to call the
// storefront API (added and removed here), and "check my product page".
func (a *Admin) installPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	data, err := a.installData(r, s)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = a.installAction(r, s, data)
		if status == http.StatusSeeOther {
			a.Redirect(w, r, s, "/admin/install", "notice", "origins_saved")
			return
		}
	}
	a.Render(w, r, s, status, "install", "Install", data)
}

func (a *Admin) installData(r *http.Request, s *AdminSession) (*installData, error) {
	data := &installData{ScriptTag: `<script src="` + a.publicBase() + `/snippet.js" data-shop="` +
		s.Shop.PublicKey + `" defer></script>`, Docs: platformDocs[s.Shop.Platform], Module: platformModules[s.Shop.Platform], CheckExample: a.productPageExample(s.Shop),
		OwnDomains: ownDomainsText(s.Shop)}
	if s.Shop.Platform == stockbell.PlatformShopify && a.opts.ShopifyAPIKey != "" {
		data.ThemeEditor = "https://" + s.Shop.Domain + "/admin/themes/current/editor?context=apps&template=product&activateAppId=" +
			url.QueryEscape(a.opts.ShopifyAPIKey) + "/" + EmbedHandle
	}
	if s.Shop.Platform == stockbell.PlatformBigCommerce {
		data.Stencil = stencilEdits
	}
	var err error
	if a.Origins != nil {
		data.Origins, err = a.Origins.FindShopOrigins(r.Context(), s.ShopID)
	}
	return data, err
}

// platformDocs names each platform's guide in the repository's docs.
var platformDocs = map[stockbell.Platform]string{
	stockbell.PlatformShopify: "docs/shopify.md", stockbell.PlatformBigCommerce: "docs/bigcommerce.md",
	stockbell.PlatformMagento: "docs/magento.md", stockbell.PlatformPrestaShop: "docs/prestashop.md",
	stockbell.PlatformFeed: "docs/snippet.md", stockbell.PlatformDemo: "docs/snippet.md",
}

// platformModules names each platform's Stockbell module in the repository.
var platformModules = map[stockbell.Platform]string{
	stockbell.PlatformMagento: "integrations/magento/module/", stockbell.PlatformPrestaShop: "integrations/prestashop/module/stockbell/",
}

// installAction adds or removes an origin, or checks a page, and returns
// the status to answer with (303 when the origins changed).
func (a *Admin) installAction(r *http.Request, s *AdminSession, data *installData) int {
	var err error
	switch r.PostFormValue("action") {
	case "add_origin":
		data.Origin = r.PostFormValue("origin")
		err = a.Origins.AddShopOrigin(r.Context(), s.ShopID, data.Origin)
	case "remove_origin":
		err = a.Origins.RemoveShopOrigin(r.Context(), s.ShopID, r.PostFormValue("origin"))
	case "check":
		data.CheckURL = strings.TrimSpace(r.PostFormValue("url"))
		data.Report, err = a.checkPage(r, s, data)
		if err == nil {
			return http.StatusOK
		}
	default:
		err = stockbell.Errorf(stockbell.EINVALID, "Unknown action.")
	}
	if err == nil {
		a.Logger.Info("storefront origins changed", "shop_id", s.ShopID, "action", r.PostFormValue("action"))
		return http.StatusSeeOther
	}
	data.Error, data.ErrorField = stockbell.ErrorMessage(err), stockbell.ErrorField(err)
	return statusOf(err, nil)
}

// checkPage fetches the product page (only from the shop's own domains).
func (a *Admin) checkPage(r *http.Request, s *AdminSession, data *installData) (*PageReport, error) {
	allowed := func(host string) bool { return allowedHost(s.Shop, data.Origins, host, a.opts.Development) }
	return a.pageChecker.check(r.Context(), s.Shop, pageToCheck{URL: data.CheckURL, Example: data.CheckExample}, allowed, a.opts.PublicURL)
}

// productPageExample is an address of the shop's product pages, written
// as its platform writes them: the demo shop's are this server's /demo
// pages (its domain resolves nowhere).
func (a *Admin) productPageExample(shop *stockbell.Shop) string {
	if a.opts.Development && shop.Platform == stockbell.PlatformDemo {
		return a.publicBase() + "/demo"
	}
	host := shop.Domain
	if domains := storefrontDomains(shop); len(domains) > 0 {
		host = domains[len(domains)-1]
	}
	switch shop.Platform {
	case stockbell.PlatformBigCommerce:
		// A product's custom URL, /sample-shirt/ (stores/{hash} names the
		// store to the API; its permanent address serves the storefront).
		if shop.PrimaryDomain == "" {
			host = "store-" + stockbell.StoreHash(shop.Domain) + ".mybigcommerce.com"
		}
		return "https://" + host + "/…/"
	case stockbell.PlatformMagento:
		return "https://" + host + "/….html" // {url_key}.html
	case stockbell.PlatformPrestaShop:
		// /{id}-{rewrite}.html, in the folder the shop is installed in.
		return "https://" + shop.Domain + "/….html"
	}
	return "https://" + host + "/products/…"
}

// storefrontDomains are the shop's names that are storefront hosts, its
// platform domain first, then its primary domain. A BigCommerce store's
// domain (stores/{hash}) names the store to the API and a PrestaShop shop
// in a folder's (example.com/boutique) its folder: neither is a host.
func storefrontDomains(shop *stockbell.Shop) []string {
	var domains []string
	for _, name := range []string{shop.Domain, shop.PrimaryDomain} {
		if name != "" && !strings.Contains(name, "/") && !slices.Contains(domains, name) {
			domains = append(domains, name)
		}
	}
	return domains
}

// ownDomainsText names the shop's storefront domains in a sentence:
// "domain (shop.example)", "domains (a.example, b.example)", or
// "domains" when none is known yet (a BigCommerce store before its
// storefront's domain is read).
func ownDomainsText(shop *stockbell.Shop) string {
	domains := storefrontDomains(shop)
	switch len(domains) {
	case 0:
		return "domains"
	case 1:
		return "domain (" + domains[0] + ")"
	}
	return "domains (" + strings.Join(domains, ", ") + ")"
}

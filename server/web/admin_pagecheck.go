package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
	"golang.org/x/net/html"
)

// maxCheckedPage bounds what "check my product page" reads of a page.
const maxCheckedPage = 2 << 20

// pageChecker fetches a product page of the shop, and only of the shop: the
// URL's host must be one of the shop's own domains, and in production the
// address it resolves to must be public (checked at connection time, so a
// DNS answer cannot point it inside the network afterwards).
type pageChecker struct {
	client *http.Client
}

// newPageChecker returns a checker; allowPrivate lets it reach loopback
// and private addresses (development, where the demo shop is localhost).
// Its transport is netguard's, with the check's own tighter limits: the
// merchant waits on the page for the answer.
func newPageChecker(allowPrivate bool) *pageChecker {
	transport := netguard.Transport("product page", allowPrivate)
	transport.DialContext = connectWithin(5*time.Second, transport.DialContext)
	transport.TLSHandshakeTimeout = 5 * time.Second
	transport.ResponseHeaderTimeout = 8 * time.Second
	transport.MaxIdleConns = 4
	transport.IdleConnTimeout = 30 * time.Second
	return &pageChecker{client: &http.Client{Transport: transport, Timeout: 12 * time.Second}}
}

// connectWithin gives dial at most limit to connect. A connection made
// outlives the limit: a dialer's context bounds only the connecting.
func connectWithin(limit time.Duration, dial func(ctx context.Context, network, address string) (net.Conn, error)) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		return dial(ctx, network, address)
	}
}

// PageReport is what "check my product page" found.
type PageReport struct {
	URL string
	// Script is the src of the Stockbell script found, FromHere whether
	// it is this server's, ShopKey its data-shop and KeyMatches whether
	// that names this shop.
	Script     string
	FromHere   bool
	ShopKey    string
	KeyMatches bool
	// Markers counts elements with data-stockbell-variant; SoldOut how
	// many of them say data-stockbell-available="false".
	Markers int
	SoldOut int
	// Unnamed counts the markers whose data-stockbell-variant is empty as
	// the page is served: the theme's script names the variant once the
	// page runs (on BigCommerce, when an option is chosen), which the
	// check, reading the page before its scripts run, cannot see.
	Unnamed int
	// Shopify is set for a Shopify product page: its variants as the
	// product JSON tells them.
	Shopify         bool
	ShopifyVariants int
	ShopifySoldOut  int
	// Problems are what to fix, in the merchant's words; none means the
	// button will show on sold-out variants.
	Problems []string
}

// allowedHost reports whether host, a page's host and port without its
// scheme's default port (stockbell.HostWithoutDefaultPort), is one a
// shop's pages may be fetched from: its platform and primary domains and
// their www twins (wwwTwin), the hosts of its allowed origins, and, in
// development, loopback on any port (the demo shop). Host and port are compared both: a Magento store on a
// port of its own (shop.example:8443) is checked there, and a page on
// another port of the same host is another site's. A domain stored with
// its default port (magento.example:443) names its host.
func allowedHost(shop *stockbell.Shop, origins []string, host string, development bool) bool {
	host = strings.ToLower(host)
	for _, domain := range []string{shop.Domain, shop.PrimaryDomain} {
		if own := domainHost(domain); own != "" && (host == own || host == wwwTwin(own)) {
			return true
		}
	}
	for _, o := range origins {
		if u, ok := parseOrigin(o); ok && strings.EqualFold(stockbell.HostWithoutDefaultPort(u), host) {
			return true
		}
	}
	return development && isLoopbackHost(hostName(host))
}

// domainHost is a shop domain's host and port, without its default port
// and its folder (a PrestaShop shop in one: shop.example/boutique).
func domainHost(domain string) string {
	host, _, _ := strings.Cut(stockbell.DomainWithoutDefaultPort(strings.ToLower(domain)), "/")
	return host
}

// hostName is the name or address of a host[:port], without brackets.
func hostName(host string) string {
	return (&url.URL{Host: host}).Hostname()
}

// pageToCheck is the address typed, and the kind of address the page
// suggests (the refusal of one that is not an address names it).
type pageToCheck struct{ URL, Example string }

// check fetches the page and reports what the snippet would find there.
func (c *pageChecker) check(ctx context.Context, shop *stockbell.Shop, page pageToCheck, allowed func(host string) bool, publicURL string) (*PageReport, error) {
	u, err := url.Parse(strings.TrimSpace(page.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, stockbell.FieldErrorf("url", "Enter the full address of a product page, such as %s", page.Example)
	}
	if !allowed(stockbell.HostWithoutDefaultPort(u)) {
		return nil, stockbell.FieldErrorf("url", "Only pages of this shop's own %s can be checked; add a storefront origin below to check another.", ownDomainsText(shop))
	}
	body, landed, err := c.fetch(ctx, u.String(), allowed)
	if err != nil {
		return nil, err
	}
	if shop.Platform == stockbell.PlatformShopify && landed.Path == shopifyPasswordPage && u.Path != shopifyPasswordPage {
		return nil, stockbell.FieldErrorf("url", "The store is password protected: Shopify answered with its password page, not the product. "+
			"Check the page once visitors can see the store (Online Store › Preferences › Password protection in your Shopify admin).")
	}
	report := &PageReport{URL: u.String()}
	scanPage(report, body)
	report.FromHere = strings.HasPrefix(report.Script, strings.TrimRight(publicURL, "/")+"/") || strings.HasPrefix(report.Script, "/snippet")
	report.KeyMatches = report.ShopKey != "" && namesShop(shop, report.ShopKey)
	if report.Shopify && report.Markers == 0 {
		c.readShopifyProduct(ctx, u, allowed, report)
	}
	report.Problems = pageProblems(report)
	return report, nil
}

// shopifyPasswordPage is where a Shopify store whose storefront is
// password protected (a new store's, until it picks a plan) sends every
// page.
const shopifyPasswordPage = "/password"

// fetch reads at most maxCheckedPage bytes of the page, following at most
// three redirects and only to allowed hosts, and says where it landed.
func (c *pageChecker) fetch(ctx context.Context, target string, allowed func(string) bool) ([]byte, *url.URL, error) {
	client := *c.client
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 3 || !allowed(stockbell.HostWithoutDefaultPort(req.URL)) {
			return stockbell.FieldErrorf("url", "The page redirects to %s, which is not one of the shop's domains.", req.URL.Host)
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, stockbell.FieldErrorf("url", "That address cannot be fetched.")
	}
	req.Header.Set("User-Agent", "Stockbell page check (+https://github.com/stockbell/stockbell)")
	req.Header.Set("Accept", "text/html,application/json")
	resp, err := client.Do(req)
	if err != nil {
		var invalid *stockbell.Error
		if errors.As(err, &invalid) {
			return nil, nil, invalid
		}
		if _, private := errors.AsType[*netguard.RefusedError](err); private {
			return nil, nil, stockbell.FieldErrorf("url", "That address leads to a private network, which is never fetched.")
		}
		return nil, nil, stockbell.FieldErrorf("url", "The page could not be fetched: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, stockbell.FieldErrorf("url", "The page answered %s.", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCheckedPage))
	return body, resp.Request.URL, err
}

// scanPage finds the script tag and the variant markers.
func scanPage(r *PageReport, body []byte) {
	z := html.NewTokenizer(strings.NewReader(string(body)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[strings.ToLower(a.Key)] = a.Val
			}
			scanTag(r, tok.Data, attrs)
		case html.TextToken:
			if text := string(z.Text()); strings.Contains(text, "Shopify.routes") || strings.Contains(text, "Shopify.shop") {
				r.Shopify = true
			}
		}
	}
}

func scanTag(r *PageReport, tag string, attrs map[string]string) {
	if src, ok := attrs["src"]; ok && tag == "script" && strings.Contains(src, "snippet") && r.Script == "" {
		if key, ok := attrs["data-shop"]; ok || strings.Contains(src, "/snippet.js") || strings.Contains(src, "/snippet/") {
			r.Script, r.ShopKey = src, key
		}
	}
	if variant, ok := attrs["data-stockbell-variant"]; ok {
		r.Markers++
		if strings.TrimSpace(variant) == "" {
			r.Unnamed++
		}
		if attrs["data-stockbell-available"] == "false" {
			r.SoldOut++
		}
	}
	if tag == "form" && strings.Contains(attrs["action"], "/cart/add") {
		r.Shopify = true
	}
}

// readShopifyProduct reads {page}.js, the product JSON Shopify themes serve.
func (c *pageChecker) readShopifyProduct(ctx context.Context, u *url.URL, allowed func(string) bool, r *PageReport) {
	if !strings.Contains(u.Path, "/products/") {
		return
	}
	js := *u
	js.Path, js.RawQuery = strings.TrimSuffix(u.Path, "/")+".js", ""
	body, _, err := c.fetch(ctx, js.String(), allowed)
	if err != nil {
		return
	}
	var product struct {
		Variants []struct {
			Available bool `json:"available"`
		} `json:"variants"`
	}
	if json.Unmarshal(body, &product) != nil {
		return
	}
	r.ShopifyVariants = len(product.Variants)
	for _, v := range product.Variants {
		if !v.Available {
			r.ShopifySoldOut++
		}
	}
}

// pageProblems says what keeps the button from showing.
func pageProblems(r *PageReport) []string {
	var out []string
	switch {
	case r.Script == "":
		out = append(out, "Stockbell's script is not on the page: add the tag above (on Shopify, turn on the Stockbell app embed).")
	case r.ShopKey == "":
		out = append(out, "The script has no data-shop attribute: add data-shop with this shop's key.")
	case !r.KeyMatches:
		out = append(out, fmt.Sprintf("The script names the shop %q, which is not this shop: use this shop's key.", r.ShopKey))
	}
	if r.Script != "" && !r.FromHere {
		out = append(out, "The script is loaded from another server than this one ("+r.Script+"): check the server URL.")
	}
	if r.Markers == 0 && !(r.Shopify && r.ShopifyVariants > 0) {
		out = append(out, "No variant data was found: the page needs data-stockbell-variant and data-stockbell-available on the product (Shopify product pages need none).")
	}
	return out
}

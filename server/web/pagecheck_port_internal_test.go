package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// checkPageOf runs the admin's page check of pageURL for a shop with
// these storefront origins, as in production but for the loopback
// address of the test's store (allowed here, as a public one would be).
func checkPageOf(shop *stockbell.Shop, origins []string, pageURL string) error {
	allowed := func(host string) bool { return allowedHost(shop, origins, host, false) }
	_, err := newPageChecker(true).check(context.Background(), shop, pageToCheck{URL: pageURL}, allowed, "https://stockbell.example")
	return err
}

// TestPageCheckComparesHostAndPort: a Magento store on a port of its own
// (shop.example:8443) has its pages checked, and a page on another port
// of the same host is not taken for its store's: not for a shop named
// without a port, nor for a storefront origin on another port, nor at the
// end of a redirect.
func TestPageCheckComparesHostAndPort(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><body>another site on the store's host</body></html>`))
	}))
	t.Cleanup(other.Close)
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			http.Redirect(w, r, other.URL+"/products/x", http.StatusFound)
			return
		}
		w.Write([]byte(`<script src="https://stockbell.example/snippet.js" data-shop="pk"></script><div data-stockbell-variant="v1"></div>`))
	}))
	t.Cleanup(store.Close)
	storeHost, otherHost := hostOf(t, store.URL), hostOf(t, other.URL) // 127.0.0.1:port, two ports

	page := store.URL + "/products/x"
	if err := checkPageOf(&stockbell.Shop{Domain: storeHost}, nil, page); err != nil {
		t.Errorf("the page of a store on its own port %s: %v, want it checked", storeHost, err)
	}
	if err := checkPageOf(&stockbell.Shop{Domain: "shop.example", PrimaryDomain: storeHost}, nil, page); err != nil {
		t.Errorf("the page of a store whose primary domain is %s: %v, want it checked", storeHost, err)
	}
	if err := checkPageOf(&stockbell.Shop{Domain: "shop.example"}, []string{"http://" + storeHost}, page); err != nil {
		t.Errorf("the page of the storefront origin http://%s: %v, want it checked", storeHost, err)
	}
	for name, c := range map[string]struct {
		shop    stockbell.Shop
		origins []string
		page    string
	}{
		"a shop on another port":                    {stockbell.Shop{Domain: otherHost}, nil, page},
		"a shop named without a port":               {stockbell.Shop{Domain: "127.0.0.1"}, nil, page},
		"a storefront origin on another port":       {stockbell.Shop{Domain: "shop.example"}, []string{"http://" + otherHost}, page},
		"a redirect to another port of the host":    {stockbell.Shop{Domain: storeHost}, nil, store.URL + "/elsewhere"},
		"a shop on the page's port of another host": {stockbell.Shop{Domain: "localhost:" + portOf(t, store.URL)}, nil, page},
	} {
		err := checkPageOf(&c.shop, c.origins, c.page)
		if stockbell.ErrorCode(err) != stockbell.EINVALID || !strings.Contains(stockbell.ErrorMessage(err), "not one of the shop's domains") &&
			!strings.Contains(stockbell.ErrorMessage(err), "Only pages of this shop's own domain") {
			t.Errorf("%s: checking %s answered %v, want it refused as not the shop's", name, c.page, err)
		}
	}
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func portOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// TestPageCheckKnowsAStoreByIPv6Address: a store named by its IPv6
// address, with or without a port of its own, has its pages checked
// there and not on another port.
func TestPageCheckKnowsAStoreByIPv6Address(t *testing.T) {
	for domain, pages := range map[string]map[string]bool{
		"[2001:db8::1]": {"https://[2001:db8::1]/p": true, "https://[2001:db8::1]:443/p": true,
			"https://[2001:db8::1]:8443/p": false, "https://[2001:db8::2]/p": false},
		"[2001:db8::1]:8443": {"https://[2001:db8::1]:8443/p": true, "https://[2001:db8::1]/p": false},
	} {
		for page, want := range pages {
			u, err := url.Parse(page)
			if err != nil {
				t.Fatal(err)
			}
			if got := allowedHost(&stockbell.Shop{Domain: domain}, nil, stockbell.HostWithoutDefaultPort(u), false); got != want {
				t.Errorf("the page check of %s for the shop %s allows it: %v, want %v", page, domain, got, want)
			}
		}
	}
}

// TestPageCheckAcceptsTheWwwTwinOfTheStoresDomain: a store whose primary
// domain is www.bells.example has its pages checked at bells.example (a
// merchant types the bare domain; the store redirects it to www), and the
// reverse, as the storefront API accepts sign-ups from both. Another
// subdomain, www of a subdomain, or the twin of a domain on a port of its
// own is another site's.
func TestPageCheckAcceptsTheWwwTwinOfTheStoresDomain(t *testing.T) {
	for primary, twin := range map[string]string{"www.bells.example": "bells.example", "bells.example": "www.bells.example"} {
		shop := &stockbell.Shop{Domain: "bells.myshopify.com", PrimaryDomain: primary}
		if !allowedHost(shop, nil, twin, false) {
			t.Errorf("primary domain %s: a page of %s is refused", primary, twin)
		}
		for _, other := range []string{"shop.bells.example", "www.www.bells.example", "www.other.example", "bells.example.evil.example"} {
			if other != primary && allowedHost(shop, nil, other, false) {
				t.Errorf("primary domain %s: a page of %s is accepted", primary, other)
			}
		}
	}
	if allowedHost(&stockbell.Shop{Domain: "bells.example:8443"}, nil, "www.bells.example:8443", false) {
		t.Error("a store on a port of its own: its www twin is accepted")
	}
	if allowedHost(&stockbell.Shop{Domain: "www.com"}, nil, "com", false) {
		t.Error("www.com's twin, com, is accepted")
	}
}

package web

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// A module not yet updated names its store with the default port
// (magento.example:443) in its post's body and in the data-shop of the
// page it serves: the shop, named without it, is the same shop; a store
// on another port is not.
func TestDomainsNamedWithTheDefaultPort(t *testing.T) {
	shop := &stockbell.Shop{Domain: "magento.example", PrimaryDomain: "magento.example", PublicKey: "pk"}
	for _, named := range []string{"magento.example:443", "https://magento.example:443/", "magento.example"} {
		if !strings.HasPrefix(named, "https://") && !sameDomain(named, shop.Domain) {
			t.Errorf("a post's body naming %q is not about the shop %s", named, shop.Domain)
		}
		if !namesShop(shop, named) {
			t.Errorf("data-shop %q does not name the shop %s", named, shop.Domain)
		}
	}
	if sameDomain("magento.example:8443", shop.Domain) || namesShop(shop, "magento.example:8443") {
		t.Error("magento.example:8443 names the shop magento.example")
	}
}

// The page check fetches the pages of a shop stored with its default port
// (magento.example:443) from its host, as it does a shop's stored without.
func TestPageCheckAllowsTheHostOfADomainWithItsDefaultPort(t *testing.T) {
	for _, domain := range []string{"magento.example:443", "magento.example"} {
		if !allowedHost(&stockbell.Shop{Domain: domain}, nil, "magento.example", false) {
			t.Errorf("the page check refuses magento.example for the shop %s", domain)
		}
	}
	if allowedHost(&stockbell.Shop{Domain: "magento.example:443"}, nil, "other.example", false) {
		t.Error("the page check allows another host")
	}
}

package stockbell

import (
	"net/url"
	"strconv"
	"strings"
)

// PrestaShopDomain returns the shop domain Stockbell gives a PrestaShop
// shop from its URL: the host in lower case (without its scheme's default
// port, which PrestaShop's base URL never writes), with the folder PrestaShop is
// installed in when it is not at the root ("shop.example.com",
// "example.com/boutique"), which is also how the storefront snippet's
// data-shop="{$urls.base_url}" names it. Returns EINVALID naming "shop_url"
// for anything but an absolute http(s) URL without credentials, query or
// fragment.
func PrestaShopDomain(shopURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(shopURL))
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "":
		return "", FieldErrorf("shop_url", "%q is not the shop's http(s) address (such as https://shop.example.com)", shopURL)
	case u.User != nil:
		return "", FieldErrorf("shop_url", "the shop URL must not carry a user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return "", FieldErrorf("shop_url", "give the shop's base URL, without query or fragment")
	}
	path := strings.TrimRight(strings.TrimSuffix(strings.TrimRight(u.EscapedPath(), "/"), "/api"), "/")
	return strings.ToLower(HostWithoutDefaultPort(u)) + path, nil
}

// PrestaShopVariantID is the variant id Stockbell gives a PrestaShop
// product or combination: "{id_product}-{id_product_attribute}", the
// attribute being 0 for a product without combinations.
func PrestaShopVariantID(productID, attributeID int64) string {
	return strconv.FormatInt(productID, 10) + "-" + strconv.FormatInt(attributeID, 10)
}

// PrestaShopCatalogSyncJob reads a PrestaShop shop's whole catalog with
// stock through its webservice. ShopID 0 means every connected PrestaShop
// shop (the daily run): the job then queues one job per shop.
type PrestaShopCatalogSyncJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (PrestaShopCatalogSyncJob) Kind() string { return "prestashop_catalog_sync" }

// PrestaShopReconcileJob re-reads the stock of the products whose variants
// have queued subscribers, recovering a post the module could not make.
// ShopID 0 means every installed PrestaShop shop: the job then queues one
// job per shop.
type PrestaShopReconcileJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (PrestaShopReconcileJob) Kind() string { return "prestashop_reconcile" }

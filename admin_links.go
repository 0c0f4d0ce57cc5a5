package stockbell

import "strings"

// PlatformApps are the platform apps the server runs, by the ids a link
// into them needs. They decide where a link from outside (an email to a
// merchant) opens a page of a shop's admin: a merchant whose platform
// opens the admin inside itself has no session on the server's own admin
// page, and a plain link there lands on the sign-in page.
type PlatformApps struct {
	// ShopifyClientID is the Shopify app's client id (SHOPIFY_API_KEY),
	// empty when the server runs no Shopify app. With it, a Shopify shop's
	// links into the admin open the app inside the Shopify admin.
	ShopifyClientID string
	// BigCommerceAppID is the BigCommerce app's id
	// (STOCKBELL_BIGCOMMERCE_APP_ID), empty when the server runs no
	// BigCommerce app or was not given it. With it, a BigCommerce store's
	// links into the admin open the app in the store's control panel.
	BigCommerceAppID string
}

// ShopAdminURL returns the link that opens page of the admin (a path with
// its query, such as /admin/webhooks) for the shop's merchant: a Shopify
// shop's inside the Shopify admin when the server runs the Shopify app,
// since that admin is embedded there and has no cookie session to land on
// (docs/shopify.md); a BigCommerce store's in its control panel when the
// app's id is known, since the session's cookie there is the control
// panel's alone (docs/bigcommerce.md); any other shop's on publicURL, the
// server's own admin, which asks a signed-out reader to sign in first.
func (a PlatformApps) ShopAdminURL(shop *Shop, publicURL, page string) string {
	if link, ok := a.inPlatformAdmin(shop, page); ok {
		return link
	}
	return strings.TrimRight(publicURL, "/") + page
}

// inPlatformAdmin returns the link that opens page of the admin inside the
// shop's platform, ok false when the shop's admin is not opened there or
// the server lacks the platform app's id.
func (a PlatformApps) inPlatformAdmin(shop *Shop, page string) (link string, ok bool) {
	switch {
	case shop.Platform == PlatformShopify && a.ShopifyClientID != "":
		return ShopifyEmbeddedAppURL(shop.Domain, a.ShopifyClientID, page)
	case shop.Platform == PlatformBigCommerce && a.BigCommerceAppID != "":
		return BigCommerceControlPanelAppURL(shop.Domain, a.BigCommerceAppID, page)
	}
	return "", false
}

package stockbell

import (
	"context"
	"net/url"
	"regexp"
	"strings"
)

// ShopifyConfig is the Shopify app's configuration, shared by the install
// steps (oauth) and the integration (integrations/shopify). The server
// reads it with the rest of its configuration.
type ShopifyConfig struct {
	// APIKey is the app's client id; Shopify is off when it is empty.
	APIKey string
	// APISecret signs OAuth redirects, session tokens and webhooks.
	APISecret string
	// PreviousAPISecret is still accepted for webhooks and OAuth during a
	// secret rotation (Shopify may sign with the old one for up to an hour).
	PreviousAPISecret string
	// Scopes are the access scopes asked for at install.
	Scopes []string
	// ScopesSetting is the environment variable Scopes were read from
	// (SHOPIFY_SCOPES, or SCOPES, the Shopify CLI's name); empty when
	// neither was set and Scopes are the defaults.
	ScopesSetting string
	// AppURL is the public URL of this server, without trailing slash.
	AppURL string
	// AdminURL is a template for a shop's admin base URL; "{shop}" is
	// replaced by the validated shop domain. Tests point it at a loopback fake.
	AdminURL string
}

// RequiredShopifyScopes are the access scopes Stockbell cannot work
// without: the catalog sync, the reconciliation and the products/ and
// inventory_ webhooks read products and stock.
var RequiredShopifyScopes = []string{"read_products", "read_inventory"}

// DefaultShopifyScopes are the access scopes asked for unless configured:
// the required ones, and orders to count conversions (optional: without
// it orders/create is not registered).
var DefaultShopifyScopes = []string{"read_products", "read_inventory", ShopifyOrdersScope}

// ShopifyOrdersScope is the access scope Shopify's orders/create webhook
// needs: a shop that granted it (or write_orders) sends its orders.
const ShopifyOrdersScope = "read_orders"

// DefaultShopifyAdminURL is where a shop's admin is: the shop's own domain.
const DefaultShopifyAdminURL = "https://{shop}"

// ScopesVariable is the environment variable to list a scope in:
// ScopesSetting, or SHOPIFY_SCOPES when neither was set.
func (c ShopifyConfig) ScopesVariable() string {
	if c.ScopesSetting == "" {
		return "SHOPIFY_SCOPES"
	}
	return c.ScopesSetting
}

// Enabled reports whether a Shopify app is configured at all.
func (c ShopifyConfig) Enabled() bool { return c.APIKey != "" }

// Secrets returns the secrets to verify signatures with: the current one,
// then the previous one when set.
func (c ShopifyConfig) Secrets() []string {
	if c.PreviousAPISecret == "" || c.PreviousAPISecret == c.APISecret {
		return []string{c.APISecret}
	}
	return []string{c.APISecret, c.PreviousAPISecret}
}

// AdminBase returns the admin base URL of a shop, or an EINVALID error when
// the domain is not a valid myshopify.com domain: no request is ever made to
// an unvalidated domain.
func (c ShopifyConfig) AdminBase(shop string) (string, error) {
	if !ValidShopifyDomain(shop) {
		return "", FieldErrorf("shop", "%q is not a shop domain such as example.myshopify.com", shop)
	}
	return strings.TrimRight(strings.ReplaceAll(c.AdminURL, "{shop}", shop), "/"), nil
}

var (
	shopifyDomainPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$`)
	scopePattern         = regexp.MustCompile(`^(unauthenticated_)?[a-z_]+$`)
)

// ValidShopifyScope reports whether scope is spelled like an access scope
// (read_products, write_inventory, unauthenticated_read_product_listings).
func ValidShopifyScope(scope string) bool { return scopePattern.MatchString(scope) }

// ShopifyEmbeddedAppURL returns where the Shopify admin opens a page of
// the embedded app whose client id is clientID, for a link from outside
// Shopify (an email): https://admin.shopify.com/store/{store}/apps/{client
// id}{page}, the store being the shop's myshopify.com name and page a path
// with its query. Shopify signs the merchant in, then loads page on the
// app's origin in its frame, its query kept and embedded, shop, host and a
// session token (id_token) added. The path after the client id is the
// page's whole path on the app's origin, not a path under application_url
// (which ends in /admin): Shopify's host code replaces the application
// URL's path with it (buildAppUrl in @shopify/app-bridge-host,
// components/utilities/appUrl.js, on npm), as App Bridge's documented
// Redirect.Action.APP treats an app path as relative to the app's origin.
// ok is false for a domain that is not NAME.myshopify.com.
func ShopifyEmbeddedAppURL(shop, clientID, page string) (link string, ok bool) {
	store, found := strings.CutSuffix(shop, ".myshopify.com")
	if !ValidShopifyDomain(shop) || !found || clientID == "" || !strings.HasPrefix(page, "/") {
		return "", false
	}
	return "https://admin.shopify.com/store/" + strings.ToLower(store) + "/apps/" + url.PathEscape(clientID) + page, true
}

// ValidShopifyDomain reports whether shop is a NAME.myshopify.com domain.
func ValidShopifyDomain(shop string) bool {
	return len(shop) <= 255 && shopifyDomainPattern.MatchString(shop)
}

// ScopesCover reports whether the granted comma-separated scopes include
// every requested one. A write_X scope implies read_X, as Shopify grants it.
func ScopesCover(granted string, requested []string) (missing []string) {
	have := map[string]bool{}
	for _, s := range SplitScopes(granted) {
		have[s] = true
		if rest, ok := strings.CutPrefix(s, "write_"); ok {
			have["read_"+rest] = true
		}
	}
	for _, s := range requested {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// SplitScopes reads a comma- or space-separated list of access scopes.
func SplitScopes(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

// TokenSealer seals platform access tokens at rest (encrypted and
// authenticated) and opens them again. Each token is bound to its shop: the
// shop's id is authenticated with it, so a sealed token copied into another
// shop's row does not open. The oauth package implements it; the
// integrations use it to call platform APIs.
type TokenSealer interface {
	Seal(shopID int64, token []byte) ([]byte, error)
	// Open returns EUNAUTHORIZED when the sealed bytes were not sealed for
	// that shop with a known key, or were altered.
	Open(shopID int64, sealed []byte) ([]byte, error)
}

// SealToken returns the ShopInstall.Seal that seals token for the shop
// being installed.
func SealToken(sealer TokenSealer, token string) func(shopID int64) ([]byte, error) {
	return func(shopID int64) ([]byte, error) { return sealer.Seal(shopID, []byte(token)) }
}

// ExpireDataRequestsJob deletes the answers to customers' data requests
// that were kept longer than their retention (the shipped
// shopify.FileDataRequests keeps them 30 days). A periodic job.
type ExpireDataRequestsJob struct{}

// Kind implements JobArgs.
func (ExpireDataRequestsJob) Kind() string { return "expire_data_requests" }

// ShopifyCatalogSyncJob reads a Shopify shop's whole catalog with stock.
type ShopifyCatalogSyncJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (ShopifyCatalogSyncJob) Kind() string { return "shopify_catalog_sync" }

// ShopifyRegisterWebhooksJob creates a Shopify shop's webhook subscriptions.
type ShopifyRegisterWebhooksJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (ShopifyRegisterWebhooksJob) Kind() string { return "shopify_register_webhooks" }

// ShopifyReconcileJob re-reads the stock of variants with queued
// subscribers. ShopID 0 means every installed Shopify shop: the job then
// inserts one job per shop.
type ShopifyReconcileJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (ShopifyReconcileJob) Kind() string { return "shopify_reconcile" }

// ShopifyProductVariantsJob completes a products/create or
// products/update webhook whose payload may list only some of a large
// product's variants (Shopify lists the first 100 in full): for a create
// it reads every variant of the product through the Admin API and stores
// them; for an update it lists the product's variants and marks deleted
// those removed from it. The webhook's processing queues it, so that
// reading a product's pages never holds up the processing of webhooks.
type ShopifyProductVariantsJob struct {
	ShopID int64 `json:"shop_id"`
	// ProductID is the product's Shopify id.
	ProductID string `json:"product_id"`
	// Topic is the webhook's: "products/create" or "products/update".
	Topic string `json:"topic"`
}

// Kind implements JobArgs.
func (ShopifyProductVariantsJob) Kind() string { return "shopify_product_variants" }

// DataRequestSink hands the data gathered for a platform's customer data
// request to the merchant, and erases what it kept of a shop's requests
// when the shop's data is erased (shop/redact), and of a contact's when
// the contact's data is erased (customers/redact).
type DataRequestSink interface {
	DeliverContactData(ctx context.Context, shop *Shop, requestID string, data *ContactData) error
	EraseShopRequests(ctx context.Context, domain string) error
	EraseContactRequests(ctx context.Context, shop *Shop, contact Contact) error
}

// ShopifyTokenMigrationJob exchanges a Shopify shop's non-expiring access
// token for an expiring one (Shopify refuses non-expiring tokens from
// January 1, 2027), or refreshes an expiring one whose refresh token would
// otherwise expire unused. ShopID 0 means every installed Shopify shop
// that needs either: the job then inserts one job per shop.
type ShopifyTokenMigrationJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (ShopifyTokenMigrationJob) Kind() string { return "shopify_token_migration" }

// ShopifyTokens renews Shopify shops' access tokens at Shopify's token
// endpoint, one renewal at a time per shop (ShopService.RenewShopToken).
// The oauth package implements it; the Shopify integration uses it
// before and after Admin API calls.
type ShopifyTokens interface {
	// RefreshShopToken exchanges the refresh token of shop's expiring
	// access token for a new pair, unless the stored token is no longer
	// shop's (refreshed meanwhile, or the shop uninstalled or installed
	// again), and returns the shop as stored after. EUNAUTHORIZED when
	// Shopify refuses the refresh, EUPSTREAM when it cannot be reached.
	RefreshShopToken(ctx context.Context, shop *Shop) (*Shop, error)
	// MigrateShopToken exchanges shop's non-expiring access token for an
	// expiring one, unless the stored token already expires or is no
	// longer shop's, and returns the shop as stored after. Errors as
	// RefreshShopToken.
	MigrateShopToken(ctx context.Context, shop *Shop) (*Shop, error)
}

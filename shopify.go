package stockbell

import (
	"context"
	"regexp"
	"strings"
)

// ShopifyConfig is the Shopify app's configuration, shared by the install
// flow (oauth) and the integration (integrations/shopify). Read it with
// ShopifyConfigFromEnv.
type ShopifyConfig struct {
	APIKey string // SHOPIFY_API_KEY: the app's client id
	// APISecret signs OAuth redirects, session tokens and webhooks.
	APISecret string // SHOPIFY_API_SECRET
	// PreviousAPISecret is still accepted for webhooks and OAuth during a
	// secret rotation (Shopify may sign with the old one for up to an hour).
	PreviousAPISecret string   // SHOPIFY_API_SECRET_PREVIOUS
	Scopes            []string // SHOPIFY_SCOPES, or SCOPES as Shopify CLI passes it
	// AppURL is the public https URL of this server, without trailing slash.
	AppURL string // STOCKBELL_PUBLIC_URL, or SHOPIFY_APP_URL
	// AdminURL is a template for a shop's admin base URL; "{shop}" is
	// replaced by the validated shop domain. Tests point it at a loopback fake.
	AdminURL string // STOCKBELL_SHOPIFY_ADMIN_URL, default https://{shop}
}

// DefaultShopifyScopes are the access scopes Stockbell needs: products and
// stock, and orders to count conversions.
var DefaultShopifyScopes = []string{"read_products", "read_inventory", "read_orders"}

// ShopifyConfigFromEnv reads the Shopify settings. It returns an EINVALID
// error naming the variable when a setting is malformed; an unset API key
// returns a config whose Enabled is false.
func ShopifyConfigFromEnv(getenv func(string) string) (ShopifyConfig, error) {
	cfg := ShopifyConfig{
		APIKey:            strings.TrimSpace(getenv("SHOPIFY_API_KEY")),
		APISecret:         strings.TrimSpace(getenv("SHOPIFY_API_SECRET")),
		PreviousAPISecret: strings.TrimSpace(getenv("SHOPIFY_API_SECRET_PREVIOUS")),
		AppURL:            strings.TrimRight(firstNonEmpty(getenv("STOCKBELL_PUBLIC_URL"), getenv("SHOPIFY_APP_URL")), "/"),
		AdminURL:          firstNonEmpty(getenv("STOCKBELL_SHOPIFY_ADMIN_URL"), "https://{shop}"),
	}
	cfg.Scopes = splitScopes(firstNonEmpty(getenv("SHOPIFY_SCOPES"), getenv("SCOPES")))
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = append([]string(nil), DefaultShopifyScopes...)
	}
	if !cfg.Enabled() {
		return cfg, nil
	}
	return cfg, cfg.Validate()
}

// Enabled reports whether a Shopify app is configured at all.
func (c ShopifyConfig) Enabled() bool { return c.APIKey != "" }

// Validate checks a configured app's settings.
func (c ShopifyConfig) Validate() error {
	switch {
	case c.APISecret == "":
		return FieldErrorf("SHOPIFY_API_SECRET", "SHOPIFY_API_SECRET is required when SHOPIFY_API_KEY is set")
	case !strings.HasPrefix(c.AppURL, "http://") && !strings.HasPrefix(c.AppURL, "https://"):
		return FieldErrorf("STOCKBELL_PUBLIC_URL", "want the absolute public URL of the server, got %q", c.AppURL)
	case !strings.Contains(c.AdminURL, "{shop}"):
		return FieldErrorf("STOCKBELL_SHOPIFY_ADMIN_URL", "want a URL template containing {shop}, got %q", c.AdminURL)
	}
	for _, scope := range c.Scopes {
		if !scopePattern.MatchString(scope) {
			return FieldErrorf("SHOPIFY_SCOPES", "%q is not an access scope such as read_products", scope)
		}
	}
	return nil
}

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

// ValidShopifyDomain reports whether shop is a NAME.myshopify.com domain.
func ValidShopifyDomain(shop string) bool {
	return len(shop) <= 255 && shopifyDomainPattern.MatchString(shop)
}

// ScopesCover reports whether the granted comma-separated scopes include
// every requested one. A write_X scope implies read_X, as Shopify grants it.
func ScopesCover(granted string, requested []string) (missing []string) {
	have := map[string]bool{}
	for _, s := range splitScopes(granted) {
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

func splitScopes(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TokenSealer seals platform access tokens at rest (encrypted and
// authenticated) and opens them again. The oauth package implements it; the
// integrations use it to call platform APIs.
type TokenSealer interface {
	Seal(token []byte) ([]byte, error)
	// Open returns EUNAUTHORIZED when the sealed bytes were not sealed with
	// a known key or were altered.
	Open(sealed []byte) ([]byte, error)
}

// JobInserter inserts a job outside any transaction of the caller's, for
// work that follows a service call which ran its own transaction.
type JobInserter interface {
	Insert(ctx context.Context, args JobArgs, opts *JobOptions) error
}

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

// DataRequestSink hands the data gathered for a platform's customer data
// request to the merchant.
type DataRequestSink interface {
	DeliverContactData(ctx context.Context, shop *Shop, requestID string, data *ContactData) error
}

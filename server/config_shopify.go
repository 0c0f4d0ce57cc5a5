package main

import (
	"fmt"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// parseShopify reads the Shopify app's settings. An unset SHOPIFY_API_KEY
// leaves Shopify off; a set one needs its secret. The app's URL is the
// server's public URL, defaulted like it in development. The scopes are
// SHOPIFY_SCOPES or, unset, SCOPES (the Shopify CLI's name): an error
// about them names the one read, and so does Shopify's refusal of a
// missing scope (ShopifyConfig.ScopesSetting).
func (c *Config) parseShopify(getenv func(string) string) error {
	scopesSetting, scopes := "SHOPIFY_SCOPES", getenv("SHOPIFY_SCOPES")
	if scopes == "" {
		scopesSetting, scopes = "SCOPES", getenv("SCOPES")
	}
	c.Shopify = stockbell.ShopifyConfig{
		APIKey:            strings.TrimSpace(getenv("SHOPIFY_API_KEY")),
		APISecret:         strings.TrimSpace(getenv("SHOPIFY_API_SECRET")),
		PreviousAPISecret: strings.TrimSpace(getenv("SHOPIFY_API_SECRET_PREVIOUS")),
		Scopes:            stockbell.SplitScopes(scopes),
		ScopesSetting:     scopesSetting,
		AppURL:            c.PublicURL,
		AdminURL:          orDefault(strings.TrimSpace(getenv("STOCKBELL_SHOPIFY_ADMIN_URL")), stockbell.DefaultShopifyAdminURL),
	}
	if len(c.Shopify.Scopes) == 0 {
		c.Shopify.Scopes = append([]string(nil), stockbell.DefaultShopifyScopes...)
		c.Shopify.ScopesSetting = "" // neither set: the defaults
	}
	if !c.Shopify.Enabled() {
		return nil
	}
	var problems configErrors
	if c.Shopify.APISecret == "" {
		problems.add(&configError{"SHOPIFY_API_SECRET", "required when SHOPIFY_API_KEY is set"})
	}
	if !strings.Contains(c.Shopify.AdminURL, "{shop}") {
		problems.add(&configError{"STOCKBELL_SHOPIFY_ADMIN_URL", fmt.Sprintf("want a URL template containing {shop}, got %q", c.Shopify.AdminURL)})
	}
	problems.add(checkShopifyScopes(c.Shopify.Scopes, scopesSetting))
	return problems.err()
}

// checkShopifyScopes refuses a scope Shopify does not have, or a list
// without the scopes Stockbell needs.
func checkShopifyScopes(scopes []string, scopesSetting string) error {
	for _, scope := range scopes {
		if !stockbell.ValidShopifyScope(scope) {
			return &configError{scopesSetting, fmt.Sprintf("%q is not an access scope such as read_products", scope)}
		}
	}
	// write_X grants read_X, as Shopify grants it.
	if missing := stockbell.ScopesCover(strings.Join(scopes, ","), stockbell.RequiredShopifyScopes); len(missing) > 0 {
		return &configError{scopesSetting, fmt.Sprintf("missing %s: Stockbell needs %s (or their write_ scopes) to read products and stock, got %q",
			strings.Join(missing, " and "), strings.Join(stockbell.RequiredShopifyScopes, " and "), strings.Join(scopes, ","))}
	}
	return nil
}

package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// defaultFeedMaxBytes is STOCKBELL_FEED_MAX_BYTES's default: 200 MB.
const defaultFeedMaxBytes = 200 << 20

// parseBigCommerce reads the BigCommerce app's settings; without
// BIGCOMMERCE_CLIENT_ID the app is off and the rest is not checked.
func (c *Config) parseBigCommerce(getenv func(string) string) error {
	c.BigCommerce = stockbell.BigCommerceConfig{
		ClientID:     strings.TrimSpace(getenv("BIGCOMMERCE_CLIENT_ID")),
		ClientSecret: strings.TrimSpace(getenv("BIGCOMMERCE_CLIENT_SECRET")),
		LoginURL:     strings.TrimRight(orDefault(getenv("STOCKBELL_BIGCOMMERCE_LOGIN_URL"), stockbell.DefaultBigCommerceLoginURL), "/"),
		APIURL:       strings.TrimRight(orDefault(getenv("STOCKBELL_BIGCOMMERCE_API_URL"), stockbell.DefaultBigCommerceAPIURL), "/"),
		AppURL:       strings.TrimRight(c.PublicURL, "/"),
		AppID:        strings.TrimSpace(getenv("STOCKBELL_BIGCOMMERCE_APP_ID")),
	}
	if !c.BigCommerce.Enabled() {
		return nil
	}
	validate := c.BigCommerce.Validate
	if c.publicURLUnused && c.PublicURL == "" {
		// A command that makes no link to the server runs without a
		// public URL (see publicURLNeed): the app's URL is not checked.
		validate = c.BigCommerce.ValidateWithoutAppURL
	}
	var problems configErrors
	for _, err := range joinedErrors(validate()) {
		problems.add(&configError{stockbell.ErrorField(err), stockbell.ErrorMessage(err)})
	}
	problems.add(c.checkBigCommerceHookPort())
	return problems.err()
}

// checkBigCommerceHookPort refuses, in production, a public URL on another
// port than 443: BigCommerce creates hooks only to https on port 443, so
// the stores installed would never receive a webhook.
func (c *Config) checkBigCommerceHookPort() error {
	u, err := url.Parse(c.PublicURL)
	if c.Development() || err != nil || u.Port() == "" || u.Port() == "443" {
		return nil
	}
	return &configError{"STOCKBELL_PUBLIC_URL", fmt.Sprintf("BigCommerce delivers webhooks only to https on port 443, and this URL "+
		"is on port %s (%s): give a public URL on port 443 (the server may listen on another port behind a proxy), or unset BIGCOMMERCE_CLIENT_ID", u.Port(), c.PublicURL)}
}

// joinedErrors returns the errors errors.Join joined into err, err alone
// when it joins none, or nothing for nil.
func joinedErrors(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// platformApps are the platform apps that links in emails to merchants
// open the admin in: the Shopify admin when the server runs the Shopify
// app, a BigCommerce store's control panel when it runs the BigCommerce
// app and was given the app's id.
func platformApps(cfg *Config) stockbell.PlatformApps {
	apps := stockbell.PlatformApps{ShopifyClientID: cfg.Shopify.APIKey}
	if cfg.BigCommerce.Enabled() {
		apps.BigCommerceAppID = cfg.BigCommerce.AppID
	}
	return apps
}

// parseFeed reads STOCKBELL_FEED_MAX_BYTES: a number of bytes, or with a
// KB, MB or GB suffix (powers of 1024).
func (c *Config) parseFeed(getenv func(string) string) error {
	c.FeedMaxBytes = defaultFeedMaxBytes
	raw := strings.TrimSpace(getenv("STOCKBELL_FEED_MAX_BYTES"))
	if raw == "" {
		return nil
	}
	n, err := parseBytes(raw)
	if err != nil || n < 1024 {
		return &configError{"STOCKBELL_FEED_MAX_BYTES", fmt.Sprintf("want a size of at least 1KB such as 200MB or 209715200, got %q", raw)}
	}
	c.FeedMaxBytes = n
	return nil
}

func parseBytes(s string) (int64, error) {
	upper := strings.ToUpper(s)
	scale := int64(1)
	for suffix, f := range map[string]int64{"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30} {
		if rest, ok := strings.CutSuffix(upper, suffix); ok {
			upper, scale = strings.TrimSpace(rest), f
		}
	}
	n, err := strconv.ParseInt(upper, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/scale {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * scale, nil
}

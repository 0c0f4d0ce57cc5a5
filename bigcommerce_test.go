package stockbell_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestBigCommerceControlPanelAppURL: a page of the app opens in the
// store's control panel, under the store's hash and the app's id; a
// domain that is not a store's, an app id that is not a number or a page
// that is not a path gives no link.
func TestBigCommerceControlPanelAppURL(t *testing.T) {
	for _, c := range []struct{ domain, appID, page, want string }{
		{"stores/abc123", "4242", "/admin/reports?from=2025-01-27&to=2025-02-02",
			"https://store-abc123.mybigcommerce.com/manage/app/4242/admin/reports?from=2025-01-27&to=2025-02-02"},
		{"stores/def456", "4242", "/admin/reports", "https://store-def456.mybigcommerce.com/manage/app/4242/admin/reports"},
		{"abc123", "4242", "/admin", ""},
		{"stores/evil.example/x", "4242", "/admin", ""},
		{"stores/abc123", "", "/admin", ""},
		{"stores/abc123", "42/../1", "/admin", ""},
		{"stores/abc123", "4242", "admin", ""},
		{"stores/abc123", "4242", "//evil.example/admin", ""},
	} {
		got, ok := stockbell.BigCommerceControlPanelAppURL(c.domain, c.appID, c.page)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("BigCommerceControlPanelAppURL(%q, %q, %q) = %q, %v; want %q", c.domain, c.appID, c.page, got, ok, c.want)
		}
	}
}

// TestBigCommerceConfigAppID: the app's id is optional, and when given
// must be the number BigCommerce gave the app.
func TestBigCommerceConfigAppID(t *testing.T) {
	cfg := stockbell.BigCommerceConfig{ClientID: "id", ClientSecret: "secret", LoginURL: stockbell.DefaultBigCommerceLoginURL,
		APIURL: stockbell.DefaultBigCommerceAPIURL, AppURL: "https://app.example"}
	for appID, valid := range map[string]bool{"": true, "4242": true, "my-app": false, "42 ": false, "-1": false} {
		cfg.AppID = appID
		err := cfg.Validate()
		if (err == nil) != valid || (err != nil && stockbell.ErrorField(err) != "STOCKBELL_BIGCOMMERCE_APP_ID") {
			t.Errorf("app id %q: %v", appID, err)
		}
	}
}

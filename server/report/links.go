package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// UnsubscribePath is where a scheduled report's unsubscribe link leads;
// the token follows it.
const UnsubscribePath = "/reports/unsubscribe/"

// Links signs and checks the unsubscribe links of scheduled reports: a
// link names one report subscription of one shop and removes only that.
type Links struct {
	// Key signs the links (32 bytes or more, derived from the server's secret).
	Key []byte
	// PreviousKeys still verify links signed before a key rotation, so
	// report emails already sent keep a working link; new links use Key.
	PreviousKeys [][]byte
	// PublicURL is the server's public URL the links point to.
	PublicURL string
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

// UnsubscribeURL returns the signed link that removes the subscription.
func (l *Links) UnsubscribeURL(sub *stockbell.ReportSubscription) string {
	return strings.TrimRight(l.PublicURL, "/") + UnsubscribePath + l.token(sub.ShopID, sub.ID)
}

// ReportsURL returns the admin's Reports page on the public URL, showing
// the days when given (a signed-out reader is asked to sign in first, and
// brought back to it after signing in with a one-time link).
func (l *Links) ReportsURL(days *Days) string {
	return strings.TrimRight(l.PublicURL, "/") + reportsPage(days)
}

// ShopReportsURL returns the Reports page as the shop's merchant opens it:
// a Shopify shop's inside the Shopify admin when the server runs the
// Shopify app, since that admin is embedded there and has no cookie session
// to land on (docs/shopify.md); a BigCommerce store's in its control panel
// when the app's id is known, since the session's cookie there is the
// control panel's alone (docs/bigcommerce.md); any other shop's is
// ReportsURL.
func (l *Links) ShopReportsURL(shop *stockbell.Shop, days *Days) string {
	if link, ok := l.inPlatformAdmin(shop, reportsPage(days)); ok {
		return link
	}
	return l.ReportsURL(days)
}

// inPlatformAdmin returns the link that opens page of the admin inside the
// shop's platform, ok false when the shop's admin is not opened there or
// the server lacks the platform app's id.
func (l *Links) inPlatformAdmin(shop *stockbell.Shop, page string) (link string, ok bool) {
	switch {
	case shop.Platform == stockbell.PlatformShopify && l.ShopifyClientID != "":
		return stockbell.ShopifyEmbeddedAppURL(shop.Domain, l.ShopifyClientID, page)
	case shop.Platform == stockbell.PlatformBigCommerce && l.BigCommerceAppID != "":
		return stockbell.BigCommerceControlPanelAppURL(shop.Domain, l.BigCommerceAppID, page)
	}
	return "", false
}

// reportsPage is the Reports page's path, with the days when given.
func reportsPage(days *Days) string {
	if days == nil {
		return "/admin/reports"
	}
	return "/admin/reports?from=" + days.From.Format(dateLayout) + "&to=" + days.To.Format(dateLayout)
}

func (l *Links) token(shopID, subscriptionID int64) string {
	payload := strconv.FormatInt(shopID, 10) + "." + strconv.FormatInt(subscriptionID, 10)
	return payload + "." + mac(l.Key, payload)
}

func mac(key []byte, payload string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("report-unsubscribe:" + payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// ParseUnsubscribeToken returns the shop and report subscription a token
// names, or an EINVALID error for a token that was not signed with the key
// or a previous one (or not in its one canonical spelling).
func (l *Links) ParseUnsubscribeToken(token string) (shopID, subscriptionID int64, err error) {
	invalid := stockbell.Errorf(stockbell.EINVALID, "This unsubscribe link is not valid.")
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(l.Key) == 0 {
		return 0, 0, invalid
	}
	shopID, err1 := strconv.ParseInt(parts[0], 10, 64)
	subscriptionID, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || shopID <= 0 || subscriptionID <= 0 {
		return 0, 0, invalid
	}
	canonical := strconv.FormatInt(shopID, 10) == parts[0] && strconv.FormatInt(subscriptionID, 10) == parts[1]
	if !canonical || !l.signed(parts[0]+"."+parts[1], parts[2]) {
		return 0, 0, invalid
	}
	return shopID, subscriptionID, nil
}

// signed reports whether sum is the payload's MAC under the key or a
// previous one, each compared in constant time.
func (l *Links) signed(payload, sum string) bool {
	keys := append([][]byte{l.Key}, l.PreviousKeys...)
	return stockbell.SignedWithAnyKey(keys, []byte(sum), func(key []byte) []byte { return []byte(mac(key, payload)) })
}

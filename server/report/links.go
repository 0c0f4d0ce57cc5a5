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
	// Apps are the platform apps the server runs, which decide where a
	// shop's links into the admin open (ShopReportsURL).
	Apps stockbell.PlatformApps
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

// ShopReportsURL returns the Reports page as the shop's merchant opens it
// (PlatformApps.ShopAdminURL): inside the Shopify admin or a BigCommerce
// store's control panel when the server runs that platform's app, else
// ReportsURL.
func (l *Links) ShopReportsURL(shop *stockbell.Shop, days *Days) string {
	return l.Apps.ShopAdminURL(shop, l.PublicURL, reportsPage(days))
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

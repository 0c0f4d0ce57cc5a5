package oauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// ShopifyQueryHMAC computes the signature Shopify puts in the hmac parameter
// of the URLs it sends the merchant to: drop hmac (and the legacy
// signature), sort the other keys, join key=value with &, values
// form-encoded with spaces as %20; a key repeated (ids[]=1&ids[]=2) is
// joined as key=["1", "2"], as Shopify does. HMAC-SHA256 with the app
// secret, lowercase hex.
func ShopifyQueryHMAC(secret string, query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, encodeComponent(k)+"="+encodeValues(query[k]))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strings.Join(parts, "&")))
	return hex.EncodeToString(mac.Sum(nil))
}

func encodeValues(values []string) string {
	if len(values) == 1 {
		return encodeComponent(values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = `"` + v + `"`
	}
	return encodeComponent("[" + strings.Join(quoted, ", ") + "]")
}

func encodeComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// VerifyShopifyQuery checks the hmac parameter against every configured
// secret in constant time. It returns EUNAUTHORIZED when none matches.
func VerifyShopifyQuery(secrets []string, query url.Values) error {
	got, err := hex.DecodeString(query.Get("hmac"))
	if err != nil || len(got) != sha256.Size {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request from Shopify carries no valid signature (hmac).")
	}
	for _, secret := range secrets {
		want, _ := hex.DecodeString(ShopifyQueryHMAC(secret, query))
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request's signature (hmac) does not match: it did not come from Shopify or was altered.")
}

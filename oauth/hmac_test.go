package oauth_test

import (
	"net/url"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
)

// TestShopifyQueryHMACVectors checks the published vectors (secret "hush").
func TestShopifyQueryHMACVectors(t *testing.T) {
	cases := []struct{ query, want string }{
		{"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173",
			"4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"},
		{"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=abcd&timestamp=1337178173",
			"7db6973c2aff68295ebcf354c2ce528a6b09aef1146baafccc2e0b369fff5f6d"},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		if got := oauth.ShopifyQueryHMAC("hush", q); got != c.want {
			t.Errorf("HMAC(%s) = %s, want %s", c.query, got, c.want)
		}
		q.Set("hmac", c.want)
		if err := oauth.VerifyShopifyQuery([]string{"other", "hush"}, q); err != nil {
			t.Errorf("verify with the previous secret: %v", err)
		}
		if err := oauth.VerifyShopifyQuery([]string{"other"}, q); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("verify with a wrong secret = %v, want EUNAUTHORIZED", err)
		}
		if shopifytest.SignQuery("hush", q) != c.want {
			t.Errorf("the fake signs %s differently", c.query)
		}
	}
}

// TestShopifyQueryHMACEncoding checks that the hmac covers every other
// parameter, spaces encode as %20, and a signature parameter is ignored.
func TestShopifyQueryHMACEncoding(t *testing.T) {
	q := url.Values{"shop": {"a.myshopify.com"}, "note": {"a b&c=d"}, "signature": {"legacy"}}
	withPlus := oauth.ShopifyQueryHMAC("s", q)
	q.Set("signature", "changed")
	if oauth.ShopifyQueryHMAC("s", q) != withPlus {
		t.Error("the legacy signature parameter changed the hmac")
	}
	q.Set("note", "a+b&c=d")
	if oauth.ShopifyQueryHMAC("s", q) == withPlus {
		t.Error(`"a b" and "a+b" sign the same: spaces must encode as %20`)
	}
}

package oauth_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
)

// FuzzVerifyShopifyQuery: the redirect HMAC check never panics, accepts a
// query signed with the secret and refuses it once any value changes.
func FuzzVerifyShopifyQuery(f *testing.F) {
	f.Add("code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173", "hush", "x")
	f.Add("ids[]=1&ids[]=2&shop=a.myshopify.com&hmac=zz", "s", "")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, rawQuery, secret, extra string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		oauth.VerifyShopifyQuery([]string{secret}, q)
		q.Set("hmac", oauth.ShopifyQueryHMAC(secret, q))
		if err := oauth.VerifyShopifyQuery([]string{"other", secret}, q); err != nil {
			t.Fatalf("a query signed with the secret was refused: %v", err)
		}
		q.Set("shop", q.Get("shop")+extra+"x")
		if oauth.VerifyShopifyQuery([]string{secret}, q) == nil {
			t.Fatal("a query verified after its shop changed")
		}
	})
}

// FuzzVerifySessionToken: whatever string arrives as a session token, the
// verifier answers claims or EUNAUTHORIZED, and never accepts one that is
// not signed with the app secret for a valid shop.
func FuzzVerifySessionToken(f *testing.F) {
	fake := shopifytest.New(shopifytest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	f.Cleanup(fake.Close)
	flow := oauth.NewShopify(stockbell.ShopifyConfig{APIKey: fake.APIKey, APISecret: fake.Secret}, nil, nil, fake.Clock, slog.New(slog.DiscardHandler))
	good := fake.SessionToken("toys.myshopify.com", fake.Secret)
	f.Add(good)
	f.Add(fake.SessionToken("toys.myshopify.com", "wrong secret"))
	f.Add("eyJhbGciOiJub25lIn0.eyJkZXN0IjoiaHR0cHM6Ly9hLm15c2hvcGlmeS5jb20ifQ.")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := flow.VerifySessionToken(raw)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
				t.Fatalf("error %v is not EUNAUTHORIZED", err)
			}
			return
		}
		if _, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return []byte(fake.Secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()); err != nil {
			t.Fatalf("accepted a token not signed with the app secret: %v", err)
		}
		if !stockbell.ValidShopifyDomain(claims.Shop()) {
			t.Fatalf("accepted a token for %q", claims.Shop())
		}
	})
}

// FuzzSealer: opening and resealing arbitrary bytes never panics; a sealed
// token opens for its shop only.
func FuzzSealer(f *testing.F) {
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32), bytes.Repeat([]byte("p"), 32))
	sealed, _ := sealer.Seal(7, []byte("shpat_x"))
	f.Add(int64(7), sealed, []byte("shpat_x"))
	f.Add(int64(0), []byte{1}, []byte{})
	f.Add(int64(-1), []byte{2, 0, 0}, []byte("t"))
	f.Fuzz(func(t *testing.T, shopID int64, raw, token []byte) {
		sealer.Open(shopID, raw)
		sealer.Reseal(shopID, raw)
		out, err := sealer.Seal(shopID, token)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := sealer.Open(shopID, out); err != nil || !bytes.Equal(got, token) {
			t.Fatalf("round trip: %q, %v", got, err)
		}
		if _, err := sealer.Open(shopID+1, out); err == nil {
			t.Fatal("a token opened for another shop")
		}
	})
}

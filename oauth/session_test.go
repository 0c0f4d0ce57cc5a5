package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func (e *installEnv) session(token string) (*http.Response, map[string]any) {
	res := e.serve(http.MethodPost, "/auth/shopify/session", http.Header{"Authorization": {"Bearer " + token}})
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res, out
}

// TestSessionTokenExchange installs an embedded app by token exchange, then
// answers the same shop again without a new exchange.
func TestSessionTokenExchange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newInstallEnv(t, db)
		issuedAt := e.clock.Now().Truncate(time.Second)
		sessionToken := e.fake.SessionToken(testShop, e.fake.Secret)
		e.clock.Advance(2 * time.Second)
		res, out := e.session(sessionToken)
		if res.StatusCode != http.StatusOK || out["installed"] != true || out["shop"] != testShop {
			t.Fatalf("session: %d %v", res.StatusCode, out)
		}
		shop, err := db.FindShopByDomain(context.Background(), stockbell.PlatformShopify, testShop)
		if err != nil {
			t.Fatal(err)
		}
		// The install is at Shopify's time, the session token's iat.
		if shop.PlatformInstalledAt == nil || !shop.PlatformInstalledAt.Equal(issuedAt) {
			t.Fatalf("platform install time %v, want the session token's iat %v", shop.PlatformInstalledAt, issuedAt)
		}
		token, _ := e.sealer.Open(shop.ID, shop.SealedToken)
		first := e.fake.Shop(testShop).Token
		if string(token) != first {
			t.Fatalf("stored token %q, issued %q", token, first)
		}
		res, out = e.session(e.fake.SessionToken(testShop, e.fake.Secret))
		if res.StatusCode != http.StatusOK || out["installed"] != false || e.fake.Shop(testShop).Token != first {
			t.Fatalf("second session exchanged again: %d %v", res.StatusCode, out)
		}
		if kinds := strings.Join(jobKinds(t, db), ","); kinds != "shopify_register_webhooks,shopify_catalog_sync" {
			t.Fatalf("queued jobs = %s", kinds)
		}
	})
}

// TestSessionTokenRefused checks each way a session token is refused:
// 401, nothing stored.
func TestSessionTokenRefused(t *testing.T) {
	sign := func(e *installEnv, edit func(jwt.MapClaims), secret string) string {
		now := e.clock.Now()
		claims := jwt.MapClaims{"iss": "https://" + testShop + "/admin", "dest": "https://" + testShop,
			"aud": e.fake.APIKey, "sub": "1", "exp": now.Add(time.Minute).Unix(), "nbf": now.Unix(), "iat": now.Unix()}
		edit(claims)
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
		return s
	}
	cases := map[string]func(e *installEnv) string{
		"wrong secret": func(e *installEnv) string { return sign(e, func(jwt.MapClaims) {}, "not-the-secret") },
		"wrong audience": func(e *installEnv) string {
			return sign(e, func(c jwt.MapClaims) { c["aud"] = "other-app" }, e.fake.Secret)
		},
		"expired": func(e *installEnv) string {
			return sign(e, func(c jwt.MapClaims) { c["exp"] = e.clock.Now().Add(-time.Minute).Unix() }, e.fake.Secret)
		},
		"issuer of another shop": func(e *installEnv) string {
			return sign(e, func(c jwt.MapClaims) { c["iss"] = "https://other.myshopify.com/admin" }, e.fake.Secret)
		},
		"invalid shop": func(e *installEnv) string {
			return sign(e, func(c jwt.MapClaims) {
				c["dest"], c["iss"] = "https://evil.example.com", "https://evil.example.com/admin"
			}, e.fake.Secret)
		},
		"not a token": func(*installEnv) string { return "garbage" },
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newInstallEnv(t, db)
				res, out := e.session(token(e))
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d: %v", res.StatusCode, out)
				}
				if n := countShops(t, db); n != 0 {
					t.Fatalf("%d shops stored", n)
				}
			})
		})
	}
}

// TestSessionTokenPreviousSecret accepts a token signed with the previous
// secret during a rotation.
func TestSessionTokenPreviousSecret(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newInstallEnv(t, db)
		e.flow.Config.PreviousAPISecret = "rotated-out"
		claims, err := e.flow.VerifySessionToken(e.fake.SessionToken(testShop, "rotated-out"))
		if err != nil || claims.Shop() != testShop {
			t.Fatalf("claims %v, err %v", claims, err)
		}
	})
}

func countShops(t *testing.T, db *store.DB) int {
	_, n, err := db.FindShops(context.Background(), stockbell.ShopFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

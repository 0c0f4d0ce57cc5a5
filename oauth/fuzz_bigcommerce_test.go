package oauth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/oauth"
)

// FuzzVerifyBigCommercePayload: whatever arrives as a load, uninstall or
// remove_user callback's signed_payload_jwt or legacy signed_payload, the
// verifier answers a store's payload or EUNAUTHORIZED, and accepts only
// what the client secret signed.
func FuzzVerifyBigCommercePayload(f *testing.F) {
	clock := bigcommercetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fake := bigcommercetest.New()
	fake.Now = clock.Now
	f.Cleanup(fake.Close)
	steps := &oauth.BigCommerce{Config: stockbell.BigCommerceConfig{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret}, Clock: clock}
	f.Add(fake.SignedPayloadJWT(bcHash, bcClerk), false)
	f.Add(fake.LegacySignedPayload(bcHash, bcClerk), true)
	f.Add(bigcommercetest.SignJWT(fake.Claims(bcHash, bcClerk), "not-the-secret"), false)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdG9yZXMvYSJ9.", false)
	f.Add("e30=.", true)
	f.Fuzz(func(t *testing.T, raw string, legacy bool) {
		param := "signed_payload_jwt"
		if legacy {
			param = "signed_payload"
		}
		p, err := steps.VerifySignedPayload(url.Values{param: {raw}})
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
				t.Fatalf("error %v is not EUNAUTHORIZED", err)
			}
			return
		}
		if !strings.HasPrefix(p.Context, "stores/") || len(p.Context) == len("stores/") {
			t.Fatalf("accepted a payload for context %q", p.Context)
		}
		if !signedBy(raw, legacy, fake.ClientSecret) {
			t.Fatalf("accepted %q, not signed with the client secret", raw)
		}
	})
}

// signedBy reports whether a signed payload carries the secret's signature.
func signedBy(raw string, legacy bool, secret string) bool {
	if !legacy {
		_, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
		return err == nil
	}
	encoded, encodedSig, _ := strings.Cut(raw, ".")
	data, err1 := base64.StdEncoding.DecodeString(encoded)
	sig, err2 := base64.StdEncoding.DecodeString(encodedSig)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(data)
	return err1 == nil && err2 == nil && hmac.Equal(sig, []byte(hex.EncodeToString(mac.Sum(nil))))
}

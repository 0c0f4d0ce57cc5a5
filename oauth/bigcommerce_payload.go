package oauth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
)

// BigCommercePayloadTTL is how long a legacy signed_payload is accepted
// after its timestamp (a JWT carries its own exp, nbf + 24 h).
const BigCommercePayloadTTL = 24 * time.Hour

// SignedPayload is what a verified load, uninstall or remove_user callback
// says: the store (Context, stores/{hash}), the user acting, the owner,
// when BigCommerce signed it, and the page of the app asked for.
type SignedPayload struct {
	Context  string
	User     PayloadUser
	Owner    PayloadUser
	IssuedAt time.Time
	// URL is the JWT's url: the page of the app the control panel opens,
	// "/" for its home, an App Extension's url (/products/123) for a menu
	// item of one. As BigCommerce signed it; the legacy payload has none.
	URL string
}

// PayloadUser is a user named in a signed payload.
type PayloadUser struct {
	ID     string
	Email  string
	Locale string
}

func (p *SignedPayload) shopUser(shopID int64) stockbell.ShopUser {
	return stockbell.ShopUser{ShopID: shopID, UserID: p.User.ID, Email: p.User.Email,
		Owner: p.User.ID != "" && p.User.ID == p.Owner.ID, GrantedAt: p.IssuedAt}
}

// payloadUser is a user in BigCommerce's JSON: ids are numbers.
type payloadUser struct {
	ID     json.Number `json:"id"`
	Email  string      `json:"email"`
	Locale string      `json:"locale"`
}

func (u payloadUser) user() PayloadUser {
	return PayloadUser{ID: u.ID.String(), Email: u.Email, Locale: u.Locale}
}

// bigCommerceClaims are the claims of a signed_payload_jwt.
type bigCommerceClaims struct {
	jwt.RegisteredClaims
	User  payloadUser `json:"user"`
	Owner payloadUser `json:"owner"`
	URL   string      `json:"url"`
}

// VerifySignedPayload checks a callback's signed_payload_jwt (HS256 with
// the client secret; aud the client id, iss "bc", sub stores/{hash}, valid
// now and not expired) or, without one, its legacy signed_payload
// (base64(json).base64(hex(HMAC-SHA256(client secret, json))), within
// BigCommercePayloadTTL of its timestamp). It returns EUNAUTHORIZED for a
// missing, forged, malformed or expired payload.
func (b *BigCommerce) VerifySignedPayload(query url.Values) (*SignedPayload, error) {
	if raw := query.Get("signed_payload_jwt"); raw != "" {
		return b.verifyJWT(raw)
	}
	if raw := query.Get("signed_payload"); raw != "" {
		return b.verifyLegacy(raw)
	}
	return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request carries no signed payload from BigCommerce.")
}

func (b *BigCommerce) verifyJWT(raw string) (*SignedPayload, error) {
	claims := &bigCommerceClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(b.Config.ClientSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(b.Config.ClientID), jwt.WithIssuer("bc"),
		jwt.WithLeeway(SessionLeeway), jwt.WithTimeFunc(b.Clock.Now), jwt.WithExpirationRequired())
	if err != nil {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The signed payload from BigCommerce %s.", jwtRefusal(err))
	}
	store, err := stockbell.BigCommerceContext(claims.Subject)
	if err != nil || !strings.HasPrefix(claims.Subject, "stores/") {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The signed payload names no store (sub %q).", claims.Subject)
	}
	p := &SignedPayload{Context: store, User: claims.User.user(), Owner: claims.Owner.user(), URL: claims.URL}
	if claims.IssuedAt != nil {
		p.IssuedAt = claims.IssuedAt.UTC()
	} else if claims.NotBefore != nil {
		p.IssuedAt = claims.NotBefore.UTC()
	}
	return p, nil
}

// jwtRefusal says what is wrong with a signed_payload_jwt the JWT library
// refused (err), in words a merchant's page can show.
func jwtRefusal(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "is not a signed payload (a JWT) as BigCommerce makes them"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "is not signed with this app's client secret"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "has expired: BigCommerce signs it for 24 hours"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "is not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidAudience), strings.Contains(err.Error(), "aud claim"):
		return "was made for another app: its audience (aud) is not this app's client id"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return `was not issued by BigCommerce (its iss is not "bc")`
	case strings.Contains(err.Error(), "exp claim"):
		return "has no expiry (exp)"
	}
	return fmt.Sprintf("is not valid: %v", err)
}

// legacyPayload is the JSON of a signed_payload.
type legacyPayload struct {
	User      payloadUser `json:"user"`
	Owner     payloadUser `json:"owner"`
	Context   string      `json:"context"`
	StoreHash string      `json:"store_hash"`
	Timestamp float64     `json:"timestamp"`
}

func (b *BigCommerce) verifyLegacy(raw string) (*SignedPayload, error) {
	refused := stockbell.Errorf(stockbell.EUNAUTHORIZED, "The signed payload from BigCommerce is not valid.")
	encoded, encodedSig, ok := strings.Cut(raw, ".")
	data, err1 := base64.StdEncoding.DecodeString(encoded)
	sig, err2 := base64.StdEncoding.DecodeString(encodedSig)
	if !ok || err1 != nil || err2 != nil {
		return nil, refused
	}
	mac := hmac.New(sha256.New, []byte(b.Config.ClientSecret))
	mac.Write(data)
	if !hmac.Equal(sig, []byte(hex.EncodeToString(mac.Sum(nil)))) {
		return nil, refused
	}
	var lp legacyPayload
	if err := json.Unmarshal(data, &lp); err != nil {
		return nil, refused
	}
	store, err := stockbell.BigCommerceContext(lp.Context)
	if err != nil || (lp.StoreHash != "" && "stores/"+lp.StoreHash != store) || lp.Timestamp <= 0 {
		return nil, refused
	}
	sec, frac := math.Modf(lp.Timestamp)
	issued := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	if age := b.Clock.Now().Sub(issued); age > BigCommercePayloadTTL || age < -SessionLeeway {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The signed payload from BigCommerce has expired.")
	}
	return &SignedPayload{Context: store, User: lp.User.user(), Owner: lp.Owner.user(), IssuedAt: issued}, nil
}

// bigCommerceToken is the token endpoint's answer.
type bigCommerceToken struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	Context     string `json:"context"`
	User        struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"user"`
	Owner struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"owner"`
}

// exchange posts the callback's code to the login host's token endpoint.
// A 4xx answer is EUNAUTHORIZED (BigCommerce refused the code); a network
// failure or 5xx is EUPSTREAM.
func (b *BigCommerce) exchange(ctx context.Context, query url.Values) (*bigCommerceToken, error) {
	body, _ := json.Marshal(map[string]string{
		"client_id": b.Config.ClientID, "client_secret": b.Config.ClientSecret, "code": query.Get("code"),
		"context": query.Get("context"), "scope": query.Get("scope"), "grant_type": "authorization_code",
		"redirect_uri": b.Config.AppURL + BigCommerceCallbackPath,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(b.Config.LoginURL, "/")+"/oauth2/token", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := b.HTTP.Do(req)
	if err != nil {
		return nil, upstream("BigCommerce", fmt.Errorf("bigcommerce token endpoint: %w", err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case err != nil:
		return nil, upstream("BigCommerce", fmt.Errorf("bigcommerce token endpoint: %w", err))
	case resp.StatusCode >= 500:
		// The body is never shown or logged: it may echo the request or hold a token.
		return nil, upstream("BigCommerce", fmt.Errorf("bigcommerce token endpoint answered %d (%d bytes not shown)", resp.StatusCode, len(raw)))
	case resp.StatusCode >= 400:
		var te tokenError
		json.Unmarshal(raw, &te)
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "BigCommerce refused the authorization (%d %s).", resp.StatusCode, safeOAuthCode(te.Error))
	}
	var token bigCommerceToken
	if err := json.Unmarshal(raw, &token); err != nil || token.AccessToken == "" {
		return nil, upstream("BigCommerce", fmt.Errorf("bigcommerce token endpoint answered %d without an access token (%d bytes not shown)", resp.StatusCode, len(raw)))
	}
	return &token, nil
}

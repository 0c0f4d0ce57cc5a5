package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
)

// SessionLeeway is the clock skew allowed on session token times.
const SessionLeeway = 5 * time.Second

// SessionClaims are the claims of a Shopify session token (an App Bridge
// id token).
type SessionClaims struct {
	jwt.RegisteredClaims
	// Dest is the shop's URL, https://SHOP.
	Dest string `json:"dest"`
	SID  string `json:"sid"`
}

// Shop returns the shop domain the token was issued for.
func (c *SessionClaims) Shop() string { return strings.TrimPrefix(c.Dest, "https://") }

// VerifySessionToken checks a session token: HS256 signed with the current
// or previous app secret, audience the app's client id, valid now (with
// SessionLeeway), issuer the shop's admin, and a valid shop domain. It
// returns EUNAUTHORIZED otherwise.
func (s *Shopify) VerifySessionToken(raw string) (*SessionClaims, error) {
	var lastErr error
	for _, secret := range s.Config.Secrets() {
		claims := &SessionClaims{}
		_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(s.Config.APIKey),
			jwt.WithLeeway(SessionLeeway), jwt.WithTimeFunc(s.Clock.Now), jwt.WithExpirationRequired())
		if err == nil {
			return claims, checkSessionShop(claims)
		}
		lastErr = err
		if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			break
		}
	}
	return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The session token is not valid: %v.", lastErr)
}

func checkSessionShop(c *SessionClaims) error {
	shop := c.Shop()
	if !strings.HasPrefix(c.Dest, "https://") || !stockbell.ValidShopifyDomain(shop) {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The session token names no valid shop (dest %q).", c.Dest)
	}
	if c.Issuer != c.Dest+"/admin" {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The session token's issuer %q is not the admin of %s.", c.Issuer, shop)
	}
	return nil
}

// SessionResponse is the answer of the session endpoint.
type SessionResponse struct {
	Shop   string `json:"shop"`
	ShopID int64  `json:"shop_id"`
	// Installed is true when this call exchanged the session token for a
	// new offline token and installed (or reinstalled) the shop.
	Installed bool `json:"installed"`
}

// Session serves POST /auth/shopify/session for the embedded app, with
// Authorization: Bearer <session token>. A shop that is installed with the
// needed scopes is answered at once; otherwise the session token is
// exchanged for an offline access token and the shop is installed as in
// Callback.
func (s *Shopify) Session(w http.ResponseWriter, r *http.Request) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		s.sessionFailure(w, r, "", stockbell.Errorf(stockbell.EUNAUTHORIZED, "Send the session token as Authorization: Bearer <token>."))
		return
	}
	claims, err := s.VerifySessionToken(strings.TrimSpace(raw))
	if err != nil {
		s.sessionFailure(w, r, "", err)
		return
	}
	shop := claims.Shop()
	existing, err := s.Shops.FindShopByDomain(r.Context(), stockbell.PlatformShopify, shop)
	if err == nil && existing.Active() && len(existing.SealedToken) > 0 && len(stockbell.ScopesCover(existing.Scopes, s.Config.Scopes)) == 0 {
		writeJSON(w, http.StatusOK, SessionResponse{Shop: shop, ShopID: existing.ID})
		return
	}
	if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		s.sessionFailure(w, r, shop, err)
		return
	}
	s.exchangeSession(w, r, shop, raw)
}

// exchangeSession swaps the session token for an offline access token and installs the shop.
func (s *Shopify) exchangeSession(w http.ResponseWriter, r *http.Request, shop, raw string) {
	token, err := s.exchange(r.Context(), shop, map[string]string{
		"client_id": s.Config.APIKey, "client_secret": s.Config.APISecret,
		"grant_type":           "urn:ietf:params:oauth:grant-type:token-exchange",
		"subject_token":        strings.TrimSpace(raw),
		"subject_token_type":   "urn:ietf:params:oauth:token-type:id_token",
		"requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
	})
	if err != nil {
		s.sessionFailure(w, r, shop, err)
		return
	}
	installed, err := s.install(r.Context(), shop, token)
	if err != nil {
		s.sessionFailure(w, r, shop, err)
		return
	}
	s.Logger.Info("shop installed by token exchange", "platform", "shopify", "shop", shop, "shop_id", installed.ID)
	writeJSON(w, http.StatusOK, SessionResponse{Shop: shop, ShopID: installed.ID, Installed: true})
}

func (s *Shopify) sessionFailure(w http.ResponseWriter, r *http.Request, shop string, err error) {
	status := statusOf(err)
	s.Logger.WarnContext(r.Context(), "session token refused", "platform", "shopify", "shop", shop, "status", status, "err", err)
	writeJSON(w, status, map[string]any{"error": map[string]string{
		"code": stockbell.ErrorCode(err), "message": publicMessage(err),
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

package oauth

import (
	"context"
	"errors"
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

// issuedAt is when Shopify issued the token, by Shopify's clock: its iat,
// else its nbf; zero when it carries neither.
func (c *SessionClaims) issuedAt() time.Time {
	for _, at := range []*jwt.NumericDate{c.IssuedAt, c.NotBefore} {
		if at != nil {
			return at.UTC()
		}
	}
	return time.Time{}
}

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

// CheckSessionToken reports whether raw is a valid session token, as
// VerifySessionToken does, without its claims: the embedded admin asks
// it when an install from the token failed, to tell a token a fresh one
// could replace from an install a fresh one would not change.
func (s *Shopify) CheckSessionToken(raw string) error {
	_, err := s.VerifySessionToken(strings.TrimSpace(raw))
	return err
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

// InstallFromSessionToken serves the embedded app's session endpoint
// (POST /auth/shopify/session with Authorization: Bearer <session token>):
// it verifies the session token and returns the shop it names. A shop
// installed with the needed scopes is returned at once (installed false),
// its token first exchanged for an expiring one if it does not expire
// (and installed again as below if Shopify refuses that); otherwise the session token is exchanged for an offline access token and
// the shop installed as by Install (installed true). Returns EUNAUTHORIZED
// for a token that is not valid or that Shopify refuses, EUPSTREAM when
// Shopify cannot be reached.
func (s *Shopify) InstallFromSessionToken(ctx context.Context, raw string) (shop *stockbell.Shop, installed bool, err error) {
	claims, err := s.VerifySessionToken(strings.TrimSpace(raw))
	if err != nil {
		return nil, false, err
	}
	domain := claims.Shop()
	existing, err := s.Shops.FindShopByDomain(ctx, stockbell.PlatformShopify, domain)
	if err == nil && existing.Active() && len(existing.SealedToken) > 0 && len(stockbell.ScopesCover(existing.Scopes, s.Config.Scopes)) == 0 {
		kept, err := s.keepExpiring(ctx, existing)
		if err == nil || stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			return kept, false, err
		}
		s.Logger.WarnContext(ctx, "shopify refused to exchange the shop's non-expiring token; installing it again by token exchange",
			"shop", domain, "shop_id", existing.ID, "err", err)
	} else if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return nil, false, err
	}
	token, err := s.exchange(ctx, domain, map[string]string{
		"grant_type":           "urn:ietf:params:oauth:grant-type:token-exchange",
		"subject_token":        strings.TrimSpace(raw),
		"subject_token_type":   "urn:ietf:params:oauth:token-type:id_token",
		"requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
	})
	if err != nil {
		return nil, false, err
	}
	if shop, err = s.install(ctx, domain, token, claims.issuedAt()); err != nil {
		return nil, false, err
	}
	s.Logger.InfoContext(ctx, "shop installed by token exchange", "platform", "shopify", "shop", domain, "shop_id", shop.ID)
	return shop, true, nil
}

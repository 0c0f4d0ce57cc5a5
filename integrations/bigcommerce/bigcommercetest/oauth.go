package bigcommercetest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Authorize plays a merchant installing the app from the store's control
// panel: it issues a one-time code and returns the query BigCommerce sends
// to the app's callback (code, context, scope, account_uuid).
func (f *Fake) Authorize(hash string, owner User, scope string) url.Values {
	code := randomHex(12)
	f.mu.Lock()
	f.codes[code] = pendingCode{hash: hash, scope: scope}
	f.storeLocked(hash).Owner = owner
	f.mu.Unlock()
	return url.Values{"code": {code}, "context": {"stores/" + hash}, "scope": {scope},
		"account_uuid": {"2f3c5e0a-1b2c-4d5e-8f90-" + hash}}
}

// tokenRequest is what the app posts to /oauth2/token.
type tokenRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Code         string `json:"code"`
	Context      string `json:"context"`
	Scope        string `json:"scope"`
	GrantType    string `json:"grant_type"`
	RedirectURI  string `json:"redirect_uri"`
}

// token serves POST /oauth2/token: the code is exchanged once, for the
// store it was issued for, by the app's client id and secret.
func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pending, ok := f.codes[req.Code]
	delete(f.codes, req.Code)
	switch {
	case f.TokenStatus != 0:
		writeJSON(w, f.TokenStatus, map[string]any{"error": "server_error"})
	case req.ClientID != f.ClientID || req.ClientSecret != f.ClientSecret:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
	case !ok || req.Context != "stores/"+pending.hash || req.GrantType != "authorization_code" || req.RedirectURI == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "The code is not valid."})
	default:
		s := f.storeLocked(pending.hash)
		s.Token, s.Scope = "bc_"+randomHex(16), pending.scope
		owner := map[string]any{"id": s.Owner.ID, "username": s.Owner.Email, "email": s.Owner.Email}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.Token, "scope": s.Scope, "user": owner, "owner": owner,
			"context": "stores/" + s.Hash, "account_uuid": "2f3c5e0a-1b2c-4d5e-8f90-" + s.Hash})
	}
}

// Claims returns the claims of a signed_payload_jwt for the store and
// user, as BigCommerce signs them: aud the client id, iss "bc", sub
// "stores/{hash}", exp 24 hours after nbf.
func (f *Fake) Claims(hash string, user User) jwt.MapClaims {
	s := f.storeOwner(hash)
	now := f.Now().Unix()
	return jwt.MapClaims{
		"aud": f.ClientID, "iss": "bc", "iat": now, "nbf": now - 5, "exp": now - 5 + 24*3600, "jti": randomHex(16),
		"sub": "stores/" + hash, "url": "/", "channel_id": nil,
		"user":  map[string]any{"id": user.ID, "email": user.Email, "locale": firstOf(user.Locale, "en-US")},
		"owner": map[string]any{"id": s.ID, "email": s.Email},
	}
}

// SignJWT signs claims with HS256 and the secret (the client secret for a
// genuine payload).
func SignJWT(claims jwt.MapClaims, secret string) string {
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		panic(err)
	}
	return signed
}

// SignedPayloadJWT returns a genuine signed_payload_jwt for the store and user.
func (f *Fake) SignedPayloadJWT(hash string, user User) string {
	return SignJWT(f.Claims(hash, user), f.ClientSecret)
}

// LegacySignedPayload returns a genuine signed_payload: base64 of the JSON
// payload, a dot, and base64 of the hex HMAC-SHA256 of the JSON with the
// client secret.
func (f *Fake) LegacySignedPayload(hash string, user User) string {
	return SignLegacy(f.LegacyPayload(hash, user), f.ClientSecret)
}

// LegacyPayload is the JSON a signed_payload carries.
func (f *Fake) LegacyPayload(hash string, user User) []byte {
	s := f.storeOwner(hash)
	raw, _ := json.Marshal(map[string]any{"user": map[string]any{"id": user.ID, "email": user.Email},
		"owner": map[string]any{"id": s.ID, "email": s.Email}, "context": "stores/" + hash, "store_hash": hash,
		"timestamp": float64(f.Now().UnixNano()) / 1e9})
	return raw
}

// SignLegacy signs a legacy payload with secret.
func SignLegacy(payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return base64.StdEncoding.EncodeToString(payload) + "." + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}

func (f *Fake) storeOwner(hash string) User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.storeLocked(hash).Owner
}

// Token returns the access token the store granted, "" before install.
func (f *Fake) Token(hash string) string {
	var token string
	f.Do(hash, func(s *Store) { token = s.Token })
	return token
}

// Revoke drops the store's token, as an uninstall does.
func (f *Fake) Revoke(hash string) { f.Do(hash, func(s *Store) { s.Token = "" }) }

// Uninstall plays the owner uninstalling the app from the control panel:
// BigCommerce revokes the store's token (its API refuses it from then on,
// 401) and calls the app's uninstall callback with the signed_payload_jwt
// this returns.
func (f *Fake) Uninstall(hash string, owner User) string {
	f.Revoke(hash)
	return f.SignedPayloadJWT(hash, owner)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Expired returns claims of a payload that expired an hour ago.
func (f *Fake) Expired(hash string, user User) jwt.MapClaims {
	c := f.Claims(hash, user)
	past := f.Now().Add(-25 * time.Hour).Unix()
	c["iat"], c["nbf"], c["exp"] = past, past, past+24*3600
	return c
}

package shopifytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SignQuery returns the hmac Shopify adds to a redirect: the other
// parameters sorted and joined as key=value with &, values form-encoded
// with %20 for spaces, HMAC-SHA256 with the secret, lowercase hex.
func SignQuery(secret string, q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(k) + "=" + escape(q.Get(k)))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(b.String()))
	return hex.EncodeToString(mac.Sum(nil))
}

func escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// SignedQuery adds timestamp (now), host and hmac to q for shop.
func (f *Fake) SignedQuery(shop string, q url.Values) url.Values {
	q.Set("shop", shop)
	q.Set("timestamp", strconv.FormatInt(f.Clock.Now().Unix(), 10))
	q.Set("host", base64.RawStdEncoding.EncodeToString([]byte("admin.shopify.com/store/"+strings.TrimSuffix(shop, ".myshopify.com"))))
	q.Set("hmac", SignQuery(f.Secret, q))
	return q
}

// authorize plays the merchant approving the install: it checks the app's
// request and redirects to redirect_uri with a signed code.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request, shop string) {
	q := r.URL.Query()
	if q.Get("client_id") != f.APIKey || q.Get("redirect_uri") == "" || q.Get("state") == "" {
		http.Error(w, "Oauth error invalid_request: The client_id, redirect_uri and state are required", http.StatusBadRequest)
		return
	}
	if q.Has("grant_options[]") {
		http.Error(w, "this fake only grants offline tokens", http.StatusBadRequest)
		return
	}
	code := randomHex(16)
	f.mu.Lock()
	f.codes[code] = pendingCode{shop: shop, scope: q.Get("scope")}
	f.mu.Unlock()
	back := f.SignedQuery(shop, url.Values{"code": {code}, "state": {q.Get("state")}})
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
}

type tokenRequest struct {
	ClientID           string `json:"client_id"`
	ClientSecret       string `json:"client_secret"`
	Code               string `json:"code"`
	GrantType          string `json:"grant_type"`
	SubjectToken       string `json:"subject_token"`
	SubjectTokenType   string `json:"subject_token_type"`
	RequestedTokenType string `json:"requested_token_type"`
	RefreshToken       string `json:"refresh_token"`
	// Expiring is "1" to ask for an expiring offline token.
	Expiring string `json:"expiring"`
}

// accessToken exchanges a code or a session token for an offline token.
func (f *Fake) accessToken(w http.ResponseWriter, r *http.Request, shop string) {
	if f.TokenReply.Status != 0 {
		w.Header().Set("Content-Type", "application/json")
		if f.TokenReply.Location != "" {
			w.Header().Set("Location", f.TokenReply.Location)
		}
		w.WriteHeader(f.TokenReply.Status)
		w.Write([]byte(f.TokenReply.Body))
		return
	}
	var req tokenRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ClientID != f.APIKey || req.ClientSecret != f.Secret {
		tokenFailure(w, http.StatusBadRequest, "invalid_client", "Client credentials are invalid")
		return
	}
	if f.TokenStatus != 0 {
		tokenFailure(w, f.TokenStatus, "server_error", "The token endpoint is failing on purpose")
		return
	}
	if req.GrantType == "refresh_token" || req.SubjectTokenType == offlineTokenType {
		f.renew(w, req, shop)
		return
	}
	scope, ok := f.redeem(req, shop)
	if !ok {
		tokenFailure(w, http.StatusBadRequest, "invalid_request", "The authorization code was not found or was already used")
		return
	}
	if f.GrantScopes != "" {
		scope = f.GrantScopes
	}
	var answer map[string]any
	f.Do(shop, func(s *Shop) {
		s.Scope = scope
		answer = f.issueLocked(s, req.Expiring == "1")
	})
	writeToken(w, answer)
}

// redeem checks a code (single use) or a session token and returns the scope to grant.
func (f *Fake) redeem(req tokenRequest, shop string) (string, bool) {
	if req.GrantType == "urn:ietf:params:oauth:grant-type:token-exchange" {
		ok := req.SubjectTokenType == "urn:ietf:params:oauth:token-type:id_token" &&
			req.RequestedTokenType == "urn:shopify:params:oauth:token-type:offline-access-token" &&
			f.validSessionToken(req.SubjectToken, shop)
		return f.AppScopes, ok
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pending, ok := f.codes[req.Code]
	delete(f.codes, req.Code)
	return pending.scope, ok && pending.shop == shop
}

func (f *Fake) validSessionToken(raw, shop string) bool {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(f.Secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(f.APIKey), jwt.WithTimeFunc(f.Clock.Now), jwt.WithLeeway(5*time.Second))
	return err == nil && claims["dest"] == "https://"+shop
}

func tokenFailure(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// SessionToken returns a session token for shop as App Bridge would make
// it, signed with secret and valid for a minute from now.
func (f *Fake) SessionToken(shop, secret string) string {
	now := f.Clock.Now()
	claims := jwt.MapClaims{
		"iss": "https://" + shop + "/admin", "dest": "https://" + shop, "aud": f.APIKey,
		"sub": "42", "exp": now.Add(time.Minute).Unix(), "nbf": now.Unix(), "iat": now.Unix(),
		"jti": randomHex(8), "sid": randomHex(8),
	}
	signed, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	return signed
}

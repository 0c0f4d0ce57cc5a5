package oauth

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// StateCookieName is the cookie holding the OAuth state between the
// redirect to the platform and the callback.
const StateCookieName = "stockbell_oauth_state"

// StateTTL is how long an install may take between redirect and callback.
const StateTTL = 10 * time.Minute

// StateStore binds an OAuth state nonce to the browser that started the
// install: the nonce goes to the platform in the redirect and, signed with
// HMAC-SHA256 together with the shop and an expiry, into an HttpOnly cookie.
// The callback must bring back both, and they must agree.
type StateStore struct {
	key   []byte
	clock stockbell.Clock
	// Secure marks the cookie Secure; set it whenever the server is reached over https.
	Secure bool
}

// NewStateStore derives the cookie signing key from the server's secret key.
func NewStateStore(secret []byte, clock stockbell.Clock, secure bool) (*StateStore, error) {
	if len(secret) < MinKeyLen {
		return nil, fmt.Errorf("oauth: state key is %d bytes, want at least %d", len(secret), MinKeyLen)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "stockbell oauth state v1", 32)
	if err != nil {
		return nil, err
	}
	return &StateStore{key: key, clock: clock, Secure: secure}, nil
}

type statePayload struct {
	Nonce   string `json:"n"`
	Shop    string `json:"s"`
	Expires int64  `json:"e"`
}

// Issue makes a fresh nonce for the shop and sets the cookie binding it.
func (s *StateStore) Issue(w http.ResponseWriter, shop string) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw)
	body, _ := json.Marshal(statePayload{Nonce: nonce, Shop: shop, Expires: s.clock.Now().Add(StateTTL).Unix()})
	value := base64.RawURLEncoding.EncodeToString(body) + "." + s.sign(body)
	http.SetCookie(w, s.cookie(value, int(StateTTL/time.Second)))
	return nonce, nil
}

// Verify checks the callback's state against the cookie and clears the
// cookie. It returns EUNAUTHORIZED naming what did not match.
func (s *StateStore) Verify(w http.ResponseWriter, r *http.Request, shop, state string) error {
	http.SetCookie(w, s.cookie("", -1))
	c, err := r.Cookie(StateCookieName)
	if err != nil {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install was started in another browser or took too long: start again from your Shopify admin.")
	}
	p, err := s.parse(c.Value)
	if err != nil {
		return err
	}
	switch {
	case s.clock.Now().Unix() > p.Expires:
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install took too long: start again from your Shopify admin.")
	case !hmac.Equal([]byte(p.Nonce), []byte(state)):
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install state does not match this browser's: start again from your Shopify admin.")
	case p.Shop != shop:
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install was started for another shop: start again from your Shopify admin.")
	}
	return nil
}

func (s *StateStore) parse(value string) (*statePayload, error) {
	bad := stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install state cookie is not valid: start again from your Shopify admin.")
	encoded, sig, ok := strings.Cut(value, ".")
	if !ok {
		return nil, bad
	}
	body, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil || !hmac.Equal([]byte(s.sign(body)), []byte(sig)) {
		return nil, bad
	}
	var p statePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, bad
	}
	return &p, nil
}

func (s *StateStore) sign(body []byte) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// cookie is the state cookie: HttpOnly, limited to /auth/, and SameSite=Lax
// because the platform brings the merchant back with a top-level GET
// navigation from its own site, which Lax allows and Strict would not.
func (s *StateStore) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: StateCookieName, Value: value, Path: "/auth/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	}
}

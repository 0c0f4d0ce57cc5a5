package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	stockbell "github.com/stockbell/stockbell"
)

// StateCookieName is the cookie holding the OAuth state between the
// redirect to the platform and the callback.
const StateCookieName = "stockbell_oauth_state"

// StateTTL is how long an install may take between redirect and callback.
const StateTTL = 10 * time.Minute

// minStateKeyLen is the shortest key the state cookie's keys derive from.
const minStateKeyLen = 32

// Session values of the state cookie.
const (
	stateNonce   = "nonce"
	stateShop    = "shop"
	stateExpires = "expires"
)

// StateStore binds an OAuth state nonce to the browser that started the
// install: the nonce goes to the platform in the redirect and, with the shop
// and an expiry, into a signed and encrypted HttpOnly session cookie
// (gorilla/sessions). The callback must bring back both, and they must agree.
type StateStore struct {
	cookies *sessions.CookieStore
	clock   stockbell.Clock
}

// NewStateStore derives the cookie keys from the server's secret key, and
// from previous keys (of before a key rotation) the ones that still open a
// cookie set by then. secure marks the cookie Secure; set it whenever the
// server is reached over https.
func NewStateStore(secret []byte, clock stockbell.Clock, secure bool, previous ...[]byte) (*StateStore, error) {
	if len(secret) < minStateKeyLen {
		return nil, fmt.Errorf("web: install state key is %d bytes, want at least %d", len(secret), minStateKeyLen)
	}
	pairs, err := cookieKeyPairs("install state", "stockbell oauth state v2", append([][]byte{secret}, previous...))
	if err != nil {
		return nil, err
	}
	cookies := sessions.NewCookieStore(pairs...)
	// SameSite=Lax because the platform brings the merchant back with a
	// top-level GET navigation from its own site, which Lax allows and
	// Strict would not.
	cookies.Options = &sessions.Options{Path: "/auth/", MaxAge: int(StateTTL / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	cookies.MaxAge(int(StateTTL / time.Second))
	return &StateStore{cookies: cookies, clock: clock}, nil
}

// Issue makes a fresh nonce for the shop and sets the cookie binding it.
func (s *StateStore) Issue(w http.ResponseWriter, r *http.Request, shop string) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	nonce := base64.RawURLEncoding.EncodeToString(raw)
	session := sessions.NewSession(s.cookies, StateCookieName)
	session.Options = s.cookies.Options
	session.Values[stateNonce] = nonce
	session.Values[stateShop] = shop
	session.Values[stateExpires] = s.clock.Now().Add(StateTTL).Unix()
	if err := session.Save(r, w); err != nil {
		return "", err
	}
	return nonce, nil
}

// Verify checks the callback's state against the cookie and clears the
// cookie. It returns EUNAUTHORIZED saying what did not match.
func (s *StateStore) Verify(w http.ResponseWriter, r *http.Request, shop, state string) error {
	s.clear(w)
	if _, err := r.Cookie(StateCookieName); err != nil {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install was started in another browser or took too long: please start again.")
	}
	session, err := s.cookies.New(r, StateCookieName)
	nonce, _ := session.Values[stateNonce].(string)
	expires, _ := session.Values[stateExpires].(int64)
	switch {
	case err != nil || session.IsNew || nonce == "":
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install state cookie is not valid: please start again.")
	case s.clock.Now().Unix() > expires:
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install took too long: please start again.")
	case !hmac.Equal([]byte(nonce), []byte(state)):
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install state does not match this browser's: please start again.")
	case session.Values[stateShop] != shop:
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The install was started for another shop: please start again.")
	}
	return nil
}

// clear removes the state cookie: a state is used once.
func (s *StateStore) clear(w http.ResponseWriter) {
	opts := *s.cookies.Options
	opts.MaxAge = -1
	http.SetCookie(w, sessions.NewCookie(StateCookieName, "", &opts))
}

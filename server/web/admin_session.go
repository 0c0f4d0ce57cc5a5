package web

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	stockbell "github.com/stockbell/stockbell"
)

// AdminCookieName is the first-party cookie of an admin session (every
// door but Shopify's, whose pages live in an iframe where third-party
// cookies are blocked: there every request carries a session token).
const AdminCookieName = "stockbell_admin"

// AdminSessionTTL is how long a cookie session lasts after sign-in.
const AdminSessionTTL = 12 * time.Hour

// Doors: how a session was opened.
const (
	DoorLink    = "link"    // a one-time sign-in link
	DoorShopify = "shopify" // an App Bridge session token (no cookie)
	DoorDemo    = "demo"    // the development landing page's demo shop
)

// AdminSession is one signed-in person in one shop's admin. Everything a
// page reads or changes is scoped to ShopID.
type AdminSession struct {
	ShopID int64
	// Shop is the session's shop, loaded for each request.
	Shop *stockbell.Shop
	User stockbell.AdminUser
	// Door says how the session was opened: DoorLink, DoorShopify, DoorDemo,
	// "callback:PLATFORM" for a platform's signed load callback (shown in
	// its control panel's iframe) or "install:PLATFORM" for the merchant
	// who just approved an authorization-code install (a top-level page).
	Door string
	// Embedded is true inside the Shopify admin: the request was
	// authenticated by a session token, and links keep Shopify's
	// parameters (Host) so that the next page is authenticated too.
	Embedded bool
	Host     string
	// IDToken is the verified session token of an embedded request.
	IDToken string
	// CSRF is the token every state-changing form of a cookie session
	// carries as csrf_token.
	CSRF    string
	Expires time.Time
}

// Session values in the cookie.
const (
	valueShop    = "shop"
	valueUserID  = "uid"
	valueEmail   = "email"
	valueName    = "name"
	valueDoor    = "door"
	valueCSRF    = "csrf"
	valueExpires = "exp"
)

// sessionStore reads and writes the signed and encrypted session cookie.
type sessionStore struct {
	cookies *sessions.CookieStore
	clock   stockbell.Clock
}

// newSessionStore derives the cookie's signing and encryption keys from
// key, and from previous keys (of before a key rotation) the ones that
// still open existing cookies. secure marks the cookie Secure (always in
// production).
func newSessionStore(key []byte, previous [][]byte, secure bool, clock stockbell.Clock) (*sessionStore, error) {
	pairs, err := cookieKeyPairs("admin session", "stockbell admin session v1", append([][]byte{key}, previous...))
	if err != nil {
		return nil, err
	}
	cookies := sessions.NewCookieStore(pairs...)
	// SameSite=Lax: a platform's load callback and a sign-in link arrive
	// as top-level navigations from other sites, which Lax lets the cookie
	// follow; cross-site subrequests and form posts never carry it.
	cookies.Options = &sessions.Options{Path: "/", MaxAge: int(AdminSessionTTL / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	cookies.MaxAge(int(AdminSessionTTL / time.Second))
	return &sessionStore{cookies: cookies, clock: clock}, nil
}

// start writes a fresh session (new CSRF token) for the shop and user.
func (s *sessionStore) start(w http.ResponseWriter, r *http.Request, shopID int64, user stockbell.AdminUser, door string) (*AdminSession, error) {
	sess := sessions.NewSession(s.cookies, AdminCookieName)
	opts := *s.cookies.Options
	if strings.HasPrefix(door, callbackDoorPrefix) && opts.Secure {
		// A platform's load callback opens the admin inside its control
		// panel's iframe, a third-party context where a Lax cookie is not
		// sent: the cookie is SameSite=None and partitioned (CHIPS) to that
		// control panel. Every state-changing request still needs the CSRF
		// token.
		opts.SameSite, opts.Partitioned = http.SameSiteNoneMode, true
	}
	sess.Options = &opts
	expires := s.clock.Now().Add(AdminSessionTTL)
	csrf := randomToken()
	sess.Values[valueShop] = shopID
	sess.Values[valueUserID] = user.ID
	sess.Values[valueEmail] = user.Email
	sess.Values[valueName] = user.Name
	sess.Values[valueDoor] = door
	sess.Values[valueCSRF] = csrf
	sess.Values[valueExpires] = expires.Unix()
	if err := sess.Save(r, w); err != nil {
		return nil, err
	}
	return &AdminSession{ShopID: shopID, User: user, Door: door, CSRF: csrf, Expires: expires}, nil
}

// read returns the request's cookie session, or nil when there is none
// or it expired or was tampered with.
func (s *sessionStore) read(r *http.Request) *AdminSession {
	if _, err := r.Cookie(AdminCookieName); err != nil {
		return nil
	}
	sess, err := s.cookies.New(r, AdminCookieName)
	if err != nil || sess.IsNew {
		return nil
	}
	shopID, _ := sess.Values[valueShop].(int64)
	expires, _ := sess.Values[valueExpires].(int64)
	csrf, _ := sess.Values[valueCSRF].(string)
	if shopID == 0 || csrf == "" || s.clock.Now().Unix() >= expires {
		return nil
	}
	str := func(key string) string { v, _ := sess.Values[key].(string); return v }
	return &AdminSession{ShopID: shopID, CSRF: csrf, Door: str(valueDoor), Expires: time.Unix(expires, 0),
		User: stockbell.AdminUser{ID: str(valueUserID), Email: str(valueEmail), Name: str(valueName)}}
}

// hash names the session where it is stored as ended: the SHA-256 of its
// CSRF token, random per session, so that what is stored opens nothing.
func (s *AdminSession) hash() string {
	sum := sha256.Sum256([]byte("stockbell admin session\x00" + s.CSRF))
	return hex.EncodeToString(sum[:])
}

// end removes the session cookie.
func (s *sessionStore) end(w http.ResponseWriter) {
	opts := *s.cookies.Options
	opts.MaxAge = -1
	http.SetCookie(w, sessions.NewCookie(AdminCookieName, "", &opts))
	if opts.Secure { // and the partitioned one a load callback set
		opts.SameSite, opts.Partitioned = http.SameSiteNoneMode, true
		http.SetCookie(w, sessions.NewCookie(AdminCookieName, "", &opts))
	}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type sessionKey struct{}

// withSession returns ctx carrying the admin session.
func withSession(ctx context.Context, s *AdminSession) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the admin session of a request that passed the
// admin's authentication, or nil.
func SessionFrom(ctx context.Context) *AdminSession {
	s, _ := ctx.Value(sessionKey{}).(*AdminSession)
	return s
}

// cookieKeyPairs derives gorilla/sessions' signing and encryption key pair
// from each key (at least 32 bytes), the current key's first: cookies are
// written with it and read with any.
func cookieKeyPairs(what, label string, keys [][]byte) ([][]byte, error) {
	var pairs [][]byte
	for _, key := range keys {
		if len(key) < 32 {
			return nil, fmt.Errorf("web: %s key is %d bytes, want at least 32", what, len(key))
		}
		derived, err := hkdf.Key(sha256.New, key, nil, label, 64+32)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, derived[:64], derived[64:])
	}
	return pairs, nil
}

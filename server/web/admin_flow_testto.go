package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
)

// testToCookieName holds the test address typed in the flow form across
// the redirect after a save, so that the address never goes in a URL
// (access logs, proxies, the browser's history).
const testToCookieName = "stockbell_flow_test_to"

// testToTTL is how long the saved page has to read the test address: the
// redirect follows at once.
const testToTTL = 5 * time.Minute

const valueTestTo = "test_to"

// keepTestAddress writes the test address typed with a saved form into a
// short-lived cookie, encrypted like the session's, for the page the save
// redirects to.
func (a *Admin) keepTestAddress(w http.ResponseWriter, r *http.Request, s *AdminSession, to string) error {
	sess := sessions.NewSession(a.sessions.cookies, testToCookieName)
	sess.Options = a.testToOptions(s, int(testToTTL/time.Second))
	sess.Values[valueShop] = s.ShopID
	sess.Values[valueTestTo] = strings.TrimSpace(to)
	sess.Values[valueExpires] = a.Clock.Now().Add(testToTTL).Unix()
	return sess.Save(r, w)
}

// takeTestAddress reads, once, the test address kept for the session's
// shop by the save this page follows, and clears the cookie. ok is false
// when there is none (no save, another shop's, expired, tampered with).
func (a *Admin) takeTestAddress(w http.ResponseWriter, r *http.Request, s *AdminSession) (to string, ok bool) {
	if _, err := r.Cookie(testToCookieName); err != nil {
		return "", false
	}
	http.SetCookie(w, sessions.NewCookie(testToCookieName, "", a.testToOptions(s, -1)))
	sess, err := a.sessions.cookies.New(r, testToCookieName)
	if err != nil || sess.IsNew {
		return "", false
	}
	shopID, _ := sess.Values[valueShop].(int64)
	expires, _ := sess.Values[valueExpires].(int64)
	to, ok = sess.Values[valueTestTo].(string)
	return to, ok && shopID == s.ShopID && a.Clock.Now().Unix() < expires
}

// testToOptions are the session cookie's options for the flow page only,
// lasting maxAge seconds. Inside a control panel's iframe (Secure only)
// the cookie is SameSite=None and partitioned, as the session's is there.
func (a *Admin) testToOptions(s *AdminSession, maxAge int) *sessions.Options {
	opts := *a.sessions.cookies.Options
	opts.Path, opts.MaxAge = "/admin/flow", maxAge
	if opts.Secure && (s.Embedded || strings.HasPrefix(s.Door, "callback:")) {
		opts.SameSite, opts.Partitioned = http.SameSiteNoneMode, true
	}
	return &opts
}

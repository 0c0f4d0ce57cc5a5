package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
)

// onceCookie carries what a form's answer must show (a secret shown once,
// an address typed) across the redirect that follows the form, so that it
// never goes in a URL (access logs, proxies, the browser's history) and
// reloading the page, or coming back to it, does not post the form again.
type onceCookie struct {
	name string
	path string // the only pages that receive it
}

// onceTTL is how long the page after the redirect has to read the cookie:
// the redirect follows at once.
const onceTTL = 5 * time.Minute

// keepOnce writes values into the cookie c, encrypted like the session's
// and bound to the session's shop, for the page the answer redirects to.
func (a *Admin) keepOnce(w http.ResponseWriter, r *http.Request, s *AdminSession, c onceCookie, values map[string]string) error {
	sess := sessions.NewSession(a.sessions.cookies, c.name)
	sess.Options = a.onceOptions(s, c, int(onceTTL/time.Second))
	sess.Values[valueShop] = s.ShopID
	sess.Values[valueExpires] = a.Clock.Now().Add(onceTTL).Unix()
	for k, v := range values {
		sess.Values[k] = v
	}
	return sess.Save(r, w)
}

// takeOnce reads, once, the values that keepOnce kept in c for the
// session's shop, and clears the cookie. ok is false when there are none
// (no form answered, another shop's, expired, tampered with).
func (a *Admin) takeOnce(w http.ResponseWriter, r *http.Request, s *AdminSession, c onceCookie) (values map[string]string, ok bool) {
	if _, err := r.Cookie(c.name); err != nil {
		return nil, false
	}
	http.SetCookie(w, sessions.NewCookie(c.name, "", a.onceOptions(s, c, -1)))
	sess, err := a.sessions.cookies.New(r, c.name)
	if err != nil || sess.IsNew {
		return nil, false
	}
	shopID, _ := sess.Values[valueShop].(int64)
	expires, _ := sess.Values[valueExpires].(int64)
	if shopID != s.ShopID || a.Clock.Now().Unix() >= expires {
		return nil, false
	}
	values = map[string]string{}
	for k, v := range sess.Values {
		key, isString := k.(string)
		if text, ok := v.(string); ok && isString {
			values[key] = text
		}
	}
	return values, true
}

// onceOptions are the session cookie's options for c's pages only, lasting
// maxAge seconds. Inside a control panel's iframe (Secure only) the cookie
// is SameSite=None and partitioned, as the session's is there.
func (a *Admin) onceOptions(s *AdminSession, c onceCookie, maxAge int) *sessions.Options {
	opts := *a.sessions.cookies.Options
	opts.Path, opts.MaxAge = c.path, maxAge
	if opts.Secure && (s.Embedded || strings.HasPrefix(s.Door, callbackDoorPrefix)) {
		opts.SameSite, opts.Partitioned = http.SameSiteNoneMode, true
	}
	return &opts
}

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	stockbell "github.com/stockbell/stockbell"
)

// SignInPath is where one-time sign-in links lead: /admin/sign-in?token=….
const SignInPath = "/admin/sign-in"

// signInCookieName holds the nonce that the sign-in form posts back, so
// that another site cannot sign a browser in to a shop of its choosing.
const signInCookieName = "stockbell_signin"

// returnCookieName holds the admin page a signed-out browser asked for (a
// report email's link), which a one-time link's sign-in returns to.
const returnCookieName = "stockbell_return"

// returnPageTTL is how long the page asked for is remembered: time to ask
// an operator for a one-time link and open it.
const returnPageTTL = time.Hour

// SignInURL returns the URL of a one-time sign-in link on the server at
// publicURL.
func SignInURL(publicURL, token string) string {
	return strings.TrimRight(publicURL, "/") + SignInPath + "?token=" + url.QueryEscape(token)
}

func (a *Admin) registerSignIn() {
	a.server.router.HandleFunc(SignInPath, a.signInForm).Methods(http.MethodGet, http.MethodHead)
	a.server.router.HandleFunc(SignInPath, a.signIn).Methods(http.MethodPost)
}

// signInForm shows a one-time link's "Sign in" button. The link is used
// only when the button is pressed: a mail scanner or a link preview that
// fetches the URL does not spend it.
func (a *Admin) signInForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	data := map[string]any{"Token": token, "Lifetime": stockbell.DurationWords(stockbell.SignInLinkTTL),
		"SignedOut": token == "" && r.URL.Query().Get("signed_out") == "1"}
	if token != "" {
		nonce, err := a.issueFormNonce(w, r)
		if err != nil {
			a.Fail(w, r, nil, err)
			return
		}
		data["Nonce"] = nonce
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	a.renderPublic(w, http.StatusOK, "signin", "Sign in", data)
}

// signIn uses the posted one-time link and starts a cookie session for
// its shop.
func (a *Admin) signIn(w http.ResponseWriter, r *http.Request) {
	if err := parseAdminForm(w, r); err != nil {
		a.Fail(w, r, nil, err)
		return
	}
	if err := a.checkFormNonce(w, r); err != nil {
		a.Fail(w, r, nil, err)
		return
	}
	link, err := a.SignInLinks.UseSignInLink(r.Context(), r.PostFormValue("token"))
	if err != nil {
		a.Logger.Info("sign-in link refused", "reason", stockbell.ErrorMessage(err))
		data := map[string]any{"Error": stockbell.ErrorMessage(err)}
		// A link used again where it signed in (Back, then Sign in): the
		// session it opened still works, so say where it leads.
		if sess, _ := a.cookieSession(r); sess != nil {
			data["SignedInTo"] = sess.Shop.Domain
		}
		a.renderPublic(w, statusOf(err, nil), "signin", "Sign in", data)
		return
	}
	if err := a.StartSession(w, r, link.ShopID, stockbell.AdminUser{Email: link.Email}, DoorLink); err != nil {
		a.Fail(w, r, nil, err)
		return
	}
	if page := a.takeReturnPage(w, r); page != "" {
		http.Redirect(w, r, page, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin?notice=signed_in", http.StatusSeeOther)
}

// signInRequired answers a request without a session: the JSON error for
// in-page requests, else a page explaining how to sign in, a form's answer
// included, so that a merchant whose session ran out while they filled it
// in is told what happened and how to go on. The admin's home naming a
// shop (/admin?shop=DOMAIN, where an install lands) says whether Stockbell
// is installed there, which the domain tells anyone already. uninstalled,
// when not nil, is the session's shop, uninstalled since: the page says
// the session ended with it, and how the shop comes back.
func (a *Admin) signInRequired(w http.ResponseWriter, r *http.Request, uninstalled *stockbell.Shop) {
	if wantsJSON(r) {
		a.Fail(w, r, nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Sign in to see this page."))
		return
	}
	_, noCookie := r.Cookie(AdminCookieName)
	framer := a.callbackSession(r)
	// An uninstall erases the users' access with the rest: a control
	// panel's session of an uninstalled shop ended with the uninstall,
	// not with its user's removal, and installing again there opens it.
	reinstall := framer != nil && !framer.Shop.Active()
	data := map[string]any{"Required": true, "Unsaved": !safeMethod(r.Method), "Reinstall": reinstall,
		"Ended": noCookie == nil, "Uninstalled": uninstalled != nil || reinstall, "SessionLifetime": fmt.Sprintf("%d hours", AdminSessionTTL/time.Hour)}
	// A feed shop has no platform to install Stockbell from: its operator
	// disconnected it, and connects it again.
	if uninstalled != nil && uninstalled.Platform == stockbell.PlatformFeed {
		data["DisconnectedFeed"] = uninstalled.Domain
	}
	status := http.StatusUnauthorized
	a.rememberReturnPage(w, r)
	if framer == nil && r.Header.Get("Sec-Fetch-Dest") == "iframe" {
		// A frame without a session: a control panel's tab left open
		// past the session's end, whose cookie (the one thing that named
		// the store) is gone. The page holds no form and no button, so
		// BigCommerce's control panels may frame it, as a refused
		// callback's page, and the admin too (a message's preview, a
		// frame of the admin in the control panel's frame); it says to
		// open Stockbell again there.
		data["Ended"], data["InControlPanel"] = true, true
		a.renderPublicFramedBy(w, "'self' "+controlPanels(stockbell.PlatformBigCommerce), status, "signin", "Sign in", data)
		return
	}
	if key := r.URL.Query().Get("shop"); key != "" && r.URL.Path == "/admin" && safeMethod(r.Method) {
		if shop, err := a.Shops.FindShopByKey(r.Context(), key); err == nil {
			data = map[string]any{"Installed": shop.Active(), "Domain": shop.Domain}
			status = http.StatusOK
		}
	}
	if framer != nil && uninstalled == nil && !reinstall {
		// Shown in the control panel's frame: the way back is the
		// control panel's (its owner grants the app, the user opens it
		// there), not an operator's one-time link.
		data["Removed"], _ = a.platformUserRevoked(r.Context(), framer)
		data["InControlPanel"] = true
	}
	a.renderPublicIn(w, framer, status, "signin", "Sign in", data)
}

// callbackSession returns, with its shop, the session a platform's load
// callback opened that the request's cookie still holds although it no
// longer signs in (its user removed, its shop uninstalled, signed out):
// the sign-in page answering it is shown in that control panel's iframe,
// which may frame it (it holds no form then). nil for any other request.
func (a *Admin) callbackSession(r *http.Request) *AdminSession {
	sess := a.sessions.read(r)
	if sess == nil || !strings.HasPrefix(sess.Door, callbackDoorPrefix) {
		return nil
	}
	shop, err := a.Shops.FindShopByID(r.Context(), sess.ShopID)
	if err != nil {
		return nil
	}
	sess.Shop = shop
	return sess
}

// issueFormNonce sets a short-lived cookie holding a fresh nonce and
// returns the nonce for the form to post back.
func (a *Admin) issueFormNonce(w http.ResponseWriter, r *http.Request) (string, error) {
	sess := sessions.NewSession(a.sessions.cookies, signInCookieName)
	opts := *a.sessions.cookies.Options
	opts.MaxAge = int(stockbell.SignInLinkTTL / time.Second)
	sess.Options = &opts
	nonce := randomToken()
	sess.Values["nonce"] = nonce
	sess.Values[valueExpires] = a.Clock.Now().Add(stockbell.SignInLinkTTL).Unix()
	return nonce, sess.Save(r, w)
}

// checkFormNonce refuses a form whose nonce does not match this browser's
// cookie, then clears the cookie.
func (a *Admin) checkFormNonce(w http.ResponseWriter, r *http.Request) error {
	refused := stockbell.Errorf(stockbell.EFORBIDDEN, "This sign-in form expired or was not opened in this browser. Open the link again.")
	sess, err := a.sessions.cookies.New(r, signInCookieName)
	opts := *a.sessions.cookies.Options
	opts.MaxAge = -1
	http.SetCookie(w, sessions.NewCookie(signInCookieName, "", &opts))
	if err != nil || sess.IsNew {
		return refused
	}
	nonce, _ := sess.Values["nonce"].(string)
	expires, _ := sess.Values[valueExpires].(int64)
	if !ValidCSRF(&AdminSession{CSRF: nonce}, r.PostFormValue(CSRFField)) || a.Clock.Now().Unix() >= expires {
		return refused
	}
	return nil
}

// rememberReturnPage keeps the admin page a signed-out browser asked for,
// in a signed cookie sent only to the sign-in form, so that signing in
// with a one-time link in this browser leads there: a page (GET) other
// than the admin's home, never a form's answer or an in-page request.
func (a *Admin) rememberReturnPage(w http.ResponseWriter, r *http.Request) {
	page := r.URL.RequestURI()
	if r.Method != http.MethodGet || !returnPage(page) || r.URL.Path == "/admin" {
		return
	}
	sess := sessions.NewSession(a.sessions.cookies, returnCookieName)
	opts := *a.sessions.cookies.Options
	opts.Path, opts.MaxAge = SignInPath, int(returnPageTTL/time.Second)
	sess.Options = &opts
	sess.Values["page"] = page
	sess.Values[valueExpires] = a.Clock.Now().Add(returnPageTTL).Unix()
	if err := sess.Save(r, w); err != nil {
		a.Logger.Warn("the page asked for could not be remembered", "err", err)
	}
}

// takeReturnPage returns the remembered page once (the cookie is cleared),
// or "" when there is none, it expired, or it is not an admin page of this
// server.
func (a *Admin) takeReturnPage(w http.ResponseWriter, r *http.Request) string {
	sess, err := a.sessions.cookies.New(r, returnCookieName)
	if err != nil || sess.IsNew {
		return ""
	}
	opts := *a.sessions.cookies.Options
	opts.Path, opts.MaxAge = SignInPath, -1
	http.SetCookie(w, sessions.NewCookie(returnCookieName, "", &opts))
	page, _ := sess.Values["page"].(string)
	expires, _ := sess.Values[valueExpires].(int64)
	if a.Clock.Now().Unix() >= expires || !returnPage(page) {
		return ""
	}
	return page
}

// returnPage reports whether a sign-in may lead to page: a path of the
// admin on this server (never another site however written: a control
// character or a backslash is refused: misreadable), and not the sign-in
// page itself.
func returnPage(page string) bool {
	if misreadable(page) || strings.HasPrefix(page, SignInPath) {
		return false
	}
	return page == "/admin" || strings.HasPrefix(page, "/admin/") || strings.HasPrefix(page, "/admin?")
}

package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// SessionTokenPath serves the session-token bounce page: App Bridge, and
// nothing else, which reloads the URL in ?shopify-reload= (on the app's
// public URL, as Shopify's own libraries write it) with a fresh session
// token (id_token) in its query.
const SessionTokenPath = "/admin/session-token"

// RetryInvalidSessionHeader asks App Bridge to retry an in-page request
// once with a new session token.
const RetryInvalidSessionHeader = "X-Shopify-Retry-Invalid-Session-Request"

// AppBridgeURL is the only script the admin loads from elsewhere, and
// only inside the Shopify admin.
const AppBridgeURL = "https://cdn.shopify.com/shopifycloud/app-bridge.js"

// EmbeddedInstall is the embedded admin's door (oauth.Shopify implements
// it): the install from a session token, and the check of a token alone,
// which tells a token that is not valid (App Bridge gives a fresh one)
// from a valid one whose install failed (a fresh one would fail too).
type EmbeddedInstall interface {
	SessionInstall
	// CheckSessionToken returns EUNAUTHORIZED for a token that is not valid.
	CheckSessionToken(token string) error
	// VerifyStart checks a link Shopify signed (hmac, timestamp) and
	// returns the shop it names.
	VerifyStart(query url.Values) (shop string, err error)
}

// installRefused is the error of an embedded request whose session token
// is valid but whose shop could not be installed from it: Shopify granted
// too few scopes, refused the token exchange or failed. It is shown, not
// bounced: the bounce page's fresh token would be refused the same way,
// and the page would reload, exchange and bounce again without end.
type installRefused struct{ error }

func (e *installRefused) Unwrap() error { return e.error }

// embeddedToken returns the Shopify session token a request carries: the
// Authorization header of an in-page request, the id_token Shopify adds to
// a document's query, or the id_token field the admin's script adds to a
// form. bearer reports an in-page request.
func embeddedToken(r *http.Request) (token string, bearer bool) {
	if raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(raw), true
	}
	if safeMethod(r.Method) {
		return r.URL.Query().Get("id_token"), false
	}
	return r.PostFormValue("id_token"), false
}

// embeddedRequest reports whether a request without a session token comes
// from inside the Shopify admin (Shopify opens the app with embedded=1 and
// the shop).
func (a *Admin) embeddedRequest(r *http.Request) bool {
	q := r.URL.Query()
	return a.Shopify != nil && q.Get("embedded") == "1" && stockbell.ValidShopifyDomain(q.Get("shop"))
}

// embeddedSession authenticates a request by its Shopify session token. An
// unknown shop (Shopify's managed installation opens the app before
// Stockbell knows the shop) is installed from the token in this request:
// token exchange for an offline token, the shop, and its catalog sync and
// webhook registration jobs. A token for another shop than the request
// names is refused.
func (a *Admin) embeddedSession(r *http.Request, token string) (*AdminSession, error) {
	// A token naming another shop than the request is refused before
	// anything else, so that it can never install that other shop.
	if named := r.URL.Query().Get("shop"); named != "" && !strings.EqualFold("https://"+named, tokenClaims(token).Dest) {
		return nil, stockbell.Errorf(stockbell.EFORBIDDEN, "This session token is for another shop than %s.", named)
	}
	shop, installed, err := a.Shopify.InstallFromSessionToken(r.Context(), token)
	if err != nil {
		if a.Shopify.CheckSessionToken(token) == nil {
			return nil, &installRefused{err}
		}
		return nil, err
	}
	if installed {
		a.Logger.Info("shop installed from the embedded admin (managed installation)", "shop", shop.Domain, "shop_id", shop.ID)
	}
	return &AdminSession{ShopID: shop.ID, Shop: shop, Door: DoorShopify, Embedded: true, IDToken: token,
		Host: r.URL.Query().Get("host"), User: stockbell.AdminUser{ID: tokenClaims(token).Sub}}, nil
}

// unverifiedClaims are the claims of a session token read without
// checking its signature: only to refuse early, or to name the user of a
// token verified already.
type unverifiedClaims struct {
	Dest string `json:"dest"`
	Sub  string `json:"sub"`
}

func tokenClaims(token string) unverifiedClaims {
	var claims unverifiedClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims
	}
	if payload, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
		json.Unmarshal(payload, &claims)
	}
	return claims
}

// refuseEmbedded answers a request whose session token is missing or not
// valid: an in-page request gets 401 with the retry header (App Bridge
// retries once with a new token); a document goes to the bounce page,
// which comes back with a fresh token, unless the token was valid but for
// another shop (a bounce would not change that: 403) or its install was
// refused (installRefused: its status, 401 or 502, and why).
func (a *Admin) refuseEmbedded(w http.ResponseWriter, r *http.Request, err error, bearer bool) {
	var refused *installRefused
	if errors.As(err, &refused) {
		a.Logger.Warn("embedded admin: the shop could not be installed from a valid session token",
			"path", r.URL.Path, "shop", r.URL.Query().Get("shop"), "reason", err)
	} else {
		a.Logger.Debug("embedded admin request refused", "path", r.URL.Path, "shop", r.URL.Query().Get("shop"), "reason", err)
	}
	switch {
	case bearer && refused != nil:
		a.server.Error(w, r, err)
	case bearer:
		w.Header().Set(RetryInvalidSessionHeader, "1")
		a.server.Error(w, r, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The session token is missing or not valid."))
	case refused != nil:
		a.showRefusedInstall(w, r, err)
	case stockbell.ErrorCode(err) == stockbell.EFORBIDDEN || !safeMethod(r.Method):
		// Shown in the Shopify admin's frame: the page holds no form and
		// no button.
		message := stockbell.ErrorMessage(err)
		if !safeMethod(r.Method) {
			message += " What you sent was not saved."
		}
		a.renderPublicIn(w, namedShopAdmin(r), statusOf(err, nil), "error", "Not signed in", map[string]any{"Message": message +
			" Open Stockbell again from your Shopify admin."})
	default:
		http.Redirect(w, r, a.bounceURL(r), http.StatusFound)
	}
}

// showRefusedInstall answers a document whose valid session token could
// not install the shop with a page saying why, which the Shopify admin
// of the shop the request names (the token's, verified) may frame.
func (a *Admin) showRefusedInstall(w http.ResponseWriter, r *http.Request, err error) {
	a.renderPublicIn(w, namedShopAdmin(r), statusOf(err, nil), "error", "Stockbell could not be installed", map[string]any{
		"Message": stockbell.ErrorMessage(err) + " Open Stockbell again from your Shopify admin."})
}

// namedShopAdmin is who may frame an embedded request's refusal, a page
// with no form and no button: the Shopify admin of the shop the request
// names (not signed in, only naming it), or nobody when it names none.
func namedShopAdmin(r *http.Request) *AdminSession {
	domain := r.URL.Query().Get("shop")
	if !stockbell.ValidShopifyDomain(domain) {
		return nil
	}
	return &AdminSession{Embedded: true, Shop: &stockbell.Shop{Domain: domain}}
}

// bounceURL is the bounce page's address for a document request: the
// request's own path and query (without the stale token) to reload, on
// the public URL, as Shopify's libraries do (behind a proxy or a tunnel the
// request's own host may not be the app's).
func (a *Admin) bounceURL(r *http.Request) string {
	q := r.URL.Query()
	q.Del("id_token")
	reload := r.URL.Path
	if len(q) > 0 {
		reload += "?" + q.Encode()
	}
	bounce := url.Values{"shop": {q.Get("shop")}, "host": {q.Get("host")}, "embedded": {"1"}, "shopify-reload": {a.publicBase() + reload}}
	return SessionTokenPath + "?" + bounce.Encode()
}

// sessionTokenPage serves the bounce page.
func (a *Admin) sessionTokenPage(w http.ResponseWriter, r *http.Request) {
	shop := r.URL.Query().Get("shop")
	if !stockbell.ValidShopifyDomain(shop) || !a.ownPage(r.URL.Query().Get("shopify-reload")) {
		a.renderPublic(w, http.StatusBadRequest, "error", "Bad request", map[string]any{"Message": "Open Stockbell from your Shopify admin."})
		return
	}
	setPagePolicy(w, pagePolicy{Scripts: AppBridgeURL, Styles: "'self'", FrameAncestors: "https://" + shop + " https://admin.shopify.com"})
	w.Header().Set("Cache-Control", "no-store")
	WriteHTML(w, http.StatusOK, bouncePage, struct{ APIKey, AppBridge string }{a.opts.ShopifyAPIKey, AppBridgeURL})
}

// ownPage reports whether a URL to reload is a page of this server: a
// path, or a URL on the public URL (never another site).
func (a *Admin) ownPage(reload string) bool {
	if misreadable(reload) {
		return false
	}
	if base := a.publicBase(); base != "" {
		reload = strings.TrimPrefix(reload, base)
	}
	return strings.HasPrefix(reload, "/") && !strings.HasPrefix(reload, "//")
}

// misreadable reports whether a URL holds a control character or a
// backslash, refused anywhere in a URL to lead a browser to: a browser
// drops tabs and newlines before reading a URL and reads a backslash as a
// slash, so "/\t/elsewhere" would be read as "//elsewhere", another site.
func misreadable(link string) bool {
	return strings.ContainsFunc(link, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}

// publicBase is the public URL without its trailing slash.
func (a *Admin) publicBase() string { return strings.TrimRight(a.opts.PublicURL, "/") }

// bouncePage loads App Bridge with the app's client id; App Bridge then
// reloads the path of ?shopify-reload= with a fresh id_token.
var bouncePage = template.Must(template.New("bounce").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="shopify-api-key" content="{{.APIKey}}">
<title>Stockbell</title>
<script data-api-key="{{.APIKey}}" src="{{.AppBridge}}"></script>
</head><body></body></html>`))

// errNoSessionToken is why an embedded document without a token bounces.
var errNoSessionToken = stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request carries no session token.")

// openedByShopify answers a page Shopify opened outside its admin's frame
// with its signed query (shop, hmac, timestamp, host, no embedded=1):
// Shopify sends the merchant to the app's URL, application_url (/admin),
// to install the app by the authorization-code grant, and opens it there
// when it cannot frame it. A shop not installed (unknown, or uninstalled)
// goes to the install's start, which verifies the query again; an
// installed one to the app in the Shopify admin, where it is signed in by
// session token, as Shopify's own libraries send it. It reports whether
// it answered.
func (a *Admin) openedByShopify(w http.ResponseWriter, r *http.Request) bool {
	if a.Shopify == nil || r.URL.Path != "/admin" || r.Method != http.MethodGet || !r.URL.Query().Has("hmac") {
		return false
	}
	domain, err := a.Shopify.VerifyStart(r.URL.Query())
	if err != nil || !stockbell.ValidShopifyDomain(domain) {
		return false
	}
	shop, err := a.Shops.FindShopByDomain(r.Context(), stockbell.PlatformShopify, domain)
	if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return false // the page says why
	}
	inAdmin, ok := stockbell.ShopifyEmbeddedAppURL(domain, a.opts.ShopifyAPIKey, "/admin")
	if err != nil || !shop.Active() || !ok {
		http.Redirect(w, r, "/auth/"+string(stockbell.PlatformShopify)+"?"+r.URL.RawQuery, http.StatusFound)
		return true
	}
	http.Redirect(w, r, inAdmin, http.StatusFound)
	return true
}

// embeddedHome returns the dashboard of the shop's admin inside its
// platform's admin, ok false when the shop's admin is not embedded there:
// a Shopify shop's when the server runs the Shopify app (Shopify opens it
// in its admin's frame, shopify.app.toml's embedded = true), where a
// cookie session on the server would be a third-party cookie the frame
// never sends.
func (a *Admin) embeddedHome(shop *stockbell.Shop) (link string, ok bool) {
	if a.Shopify == nil || shop.Platform != stockbell.PlatformShopify {
		return "", false
	}
	return stockbell.ShopifyEmbeddedAppURL(shop.Domain, a.opts.ShopifyAPIKey, "/admin")
}

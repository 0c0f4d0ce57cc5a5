package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// CodeGrantInstall is a platform's OAuth authorization-code install as
// plain steps (oauth.Shopify implements it). The web layer serves the
// routes, binds the state nonce to the merchant's browser with a cookie
// (StateStore) and answers; the steps do the protocol work.
type CodeGrantInstall interface {
	// VerifyStart checks the platform's signed link that starts an install
	// and returns the shop it names.
	VerifyStart(query url.Values) (shop string, err error)
	// AuthorizeURL is the platform's page where the merchant approves the
	// install of the shop; it carries state back to the callback.
	AuthorizeURL(shop, state string) (string, error)
	// VerifyCallback checks the platform's signed redirect back and returns
	// the shop it names and the state it carries.
	VerifyCallback(query url.Values) (shop, state string, err error)
	// Install exchanges the verified callback's code for an access token
	// and installs the shop with its follow-up jobs.
	Install(ctx context.Context, query url.Values) (*stockbell.Shop, error)
}

// SessionInstall is an embedded app's install by token exchange: it
// verifies the platform's session token, installing the shop unless it is
// installed already (installed reports which).
type SessionInstall interface {
	InstallFromSessionToken(ctx context.Context, token string) (shop *stockbell.Shop, installed bool, err error)
}

// SessionAnswer is the JSON answer of POST /auth/{platform}/session.
type SessionAnswer struct {
	Shop   string `json:"shop"`
	ShopID int64  `json:"shop_id"`
	// Installed is true when this call exchanged the session token for a
	// new offline token and installed (or reinstalled) the shop.
	Installed bool `json:"installed"`
}

// RegisterInstall serves a platform's install:
//
//   - GET /auth/{platform}: the signed link that starts an install; it
//     redirects to the platform's authorize page with a state nonce bound
//     to this browser by a signed, encrypted cookie;
//   - GET /auth/{platform}/callback: the platform's redirect back; the
//     state must match the cookie, then the shop is installed and the
//     merchant lands on the app in the platform's admin when the admin is
//     embedded there (a Shopify shop's), otherwise on /admin, signed in to
//     the shop's admin by a cookie session (on /admin?shop=DOMAIN when no
//     admin is registered);
//   - POST /auth/{platform}/session, when steps is also a SessionInstall.
//
// A refusal is logged and answered with a page (JSON for the session
// route): 400 for a malformed request, 401 for a bad signature, state or
// token, 502 when the platform failed. Nothing is stored for a refusal.
func (s *Server) RegisterInstall(platform stockbell.Platform, steps CodeGrantInstall, state *StateStore) {
	h := &installHandler{server: s, platform: platform, steps: steps, state: state}
	base := "/auth/" + string(platform)
	s.router.HandleFunc(base, h.begin).Methods(http.MethodGet)
	s.router.HandleFunc(base+"/callback", h.callback).Methods(http.MethodGet)
	if session, ok := steps.(SessionInstall); ok {
		s.router.HandleFunc(base+"/session", h.sessionHandler(session)).Methods(http.MethodPost)
	}
}

type installHandler struct {
	server   *Server
	platform stockbell.Platform
	steps    CodeGrantInstall
	state    *StateStore
}

func (h *installHandler) begin(w http.ResponseWriter, r *http.Request) {
	shop, authorize, err := h.beginInstall(w, r)
	if err != nil {
		h.refuse(w, r, "begin", shop, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authorize, http.StatusFound)
}

// beginInstall verifies the link before setting the state cookie, so a
// forged link leaves nothing behind.
func (h *installHandler) beginInstall(w http.ResponseWriter, r *http.Request) (shop, authorize string, err error) {
	if shop, err = h.steps.VerifyStart(r.URL.Query()); err != nil {
		return shop, "", err
	}
	nonce, err := h.state.Issue(w, r, shop)
	if err != nil {
		return shop, "", err
	}
	authorize, err = h.steps.AuthorizeURL(shop, nonce)
	return shop, authorize, err
}

func (h *installHandler) callback(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	shop, state, err := h.steps.VerifyCallback(query)
	if err != nil {
		h.refuse(w, r, "verify", shop, err)
		return
	}
	if err := h.state.Verify(w, r, shop, state); err != nil {
		h.refuse(w, r, "state", shop, err)
		return
	}
	installed, err := h.steps.Install(r.Context(), query)
	if err != nil {
		h.refuse(w, r, "install", shop, err)
		return
	}
	home, err := h.landing(w, r, installed)
	if err != nil {
		h.refuse(w, r, "session", shop, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, home, http.StatusFound)
}

// landing returns where the merchant who just approved the install lands:
// an admin embedded in the platform's own admin opens there, signed in by
// the platform's session tokens, as Shopify's own libraries send an
// embedded app back after the grant (getEmbeddedAppUrl in
// @shopify/shopify-api); any other admin signs the merchant in with a
// cookie session on /admin.
func (h *installHandler) landing(w http.ResponseWriter, r *http.Request, shop *stockbell.Shop) (string, error) {
	admin := h.server.admin
	if admin == nil {
		return adminHome(shop), nil
	}
	if inPlatform, ok := admin.embeddedHome(shop); ok {
		return inPlatform, nil
	}
	return "/admin", admin.StartSession(w, r, shop.ID, stockbell.AdminUser{}, "install:"+string(h.platform))
}

func (h *installHandler) sessionHandler(session SessionInstall) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(raw) == "" {
			err := stockbell.Errorf(stockbell.EUNAUTHORIZED, "Send the session token as Authorization: Bearer <token>.")
			h.refuseSession(w, r, err)
			return
		}
		shop, installed, err := session.InstallFromSessionToken(r.Context(), raw)
		if err != nil {
			h.refuseSession(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, SessionAnswer{Shop: shop.Domain, ShopID: shop.ID, Installed: installed})
	}
}

// refuse logs why an install step failed and answers with a page that
// says it, in the platform's words.
func (h *installHandler) refuse(w http.ResponseWriter, r *http.Request, step, shop string, err error) {
	status := statusOf(err, platformStatuses)
	h.logRefusal(r, "install refused", status, err, "step", step, "shop", shop)
	message := stockbell.ErrorMessage(err)
	if status >= 500 && stockbell.ErrorCode(err) != stockbell.EUPSTREAM {
		message = "Something went wrong on our side."
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteHTML(w, status, installFailedPage, struct{ Platform, Message string }{h.platform.Name(), message})
}

func (h *installHandler) refuseSession(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err, platformStatuses)
	h.logRefusal(r, "session token refused", status, err)
	writeErrorJSON(w, status, err)
}

func (h *installHandler) logRefusal(r *http.Request, msg string, status int, err error, attrs ...any) {
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	attrs = append([]any{"platform", h.platform, "status", status, "err", err}, attrs...)
	h.server.Logger.Log(r.Context(), level, msg, attrs...)
}

var installFailedPage = template.Must(template.New("install-failed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stockbell could not be installed</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>Stockbell could not be installed</h1>
<p>{{.Message}}</p>
<p>Nothing was saved. Open Stockbell again from your {{.Platform}} admin to retry.</p>
</body></html>`))

// adminHome is where a merchant lands after installing the shop.
func adminHome(shop *stockbell.Shop) string {
	return "/admin?shop=" + url.QueryEscape(shop.Domain)
}

package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gorilla/mux"

	stockbell "github.com/stockbell/stockbell"
)

// AppCallbacks are the install and signed callbacks of an app that the
// platform calls from its control panel (BigCommerce's single-click apps),
// as plain steps (oauth.BigCommerce implements them). There is no state to
// bind: the install's code is worth nothing without the client secret, and
// the other callbacks carry a payload signed with it.
type AppCallbacks interface {
	// Install exchanges the callback's code and installs the shop with its
	// follow-up jobs; it returns the shop and the installing user.
	Install(ctx context.Context, query url.Values) (*stockbell.Shop, *stockbell.ShopUser, error)
	// Load verifies the signed payload and returns the shop, the user
	// opening the app and the page of the app asked for, as the platform
	// signed it ("" or "/" for its home; LoadPage reads it).
	// EUNAUTHORIZED for a bad or expired payload.
	Load(ctx context.Context, query url.Values) (*stockbell.Shop, *stockbell.ShopUser, string, error)
	// Uninstall verifies the payload and, once the platform confirms the
	// app is uninstalled, stops all sending and erases the token; a
	// payload the platform does not confirm changes nothing.
	Uninstall(ctx context.Context, query url.Values) (*stockbell.Shop, error)
	// RemoveUser verifies the payload and drops the user's access.
	RemoveUser(ctx context.Context, query url.Values) (*stockbell.Shop, error)
}

// SessionStarter opens an admin session for a shop and user (Admin does).
type SessionStarter interface {
	StartSession(w http.ResponseWriter, r *http.Request, shopID int64, user stockbell.AdminUser, door string) error
}

// CallbackDoor names the admin sessions a platform's load callback opens.
func CallbackDoor(platform stockbell.Platform) string { return callbackDoorPrefix + string(platform) }

// callbackDoorPrefix begins the door of every session a platform's load
// callback opened (CallbackDoor).
const callbackDoorPrefix = "callback:"

// RegisterAppCallbacks serves a control-panel app's callbacks under
// /auth/{platform}/:
//
//   - GET callback: the install; the merchant lands in the admin;
//   - GET load: the admin opens with a session for that store and user,
//     on the admin page the payload asks for (LoadPage);
//   - GET uninstall, GET remove_user: answered 200 once done.
//
// A bad, forged or expired payload is answered 401 and changes nothing:
// a page saying why for install and load (shown in the control panel's
// iframe), the error's JSON for uninstall and remove_user.
// Without sessions (nil), the install and load land on /admin?shop=….
func (s *Server) RegisterAppCallbacks(platform stockbell.Platform, steps AppCallbacks, sessions SessionStarter) {
	h := &appCallbacks{server: s, platform: platform, steps: steps, sessions: sessions}
	base := "/auth/" + string(platform)
	s.router.HandleFunc(base+"/callback", h.install).Methods(http.MethodGet)
	s.router.HandleFunc(base+"/load", h.load).Methods(http.MethodGet)
	s.router.HandleFunc(base+"/uninstall", h.uninstall).Methods(http.MethodGet)
	s.router.HandleFunc(base+"/remove_user", h.removeUser).Methods(http.MethodGet)
}

type appCallbacks struct {
	server   *Server
	platform stockbell.Platform
	steps    AppCallbacks
	sessions SessionStarter
}

func (h *appCallbacks) install(w http.ResponseWriter, r *http.Request) {
	shop, user, err := h.steps.Install(r.Context(), r.URL.Query())
	if err == nil {
		err = h.openAdmin(w, r, shop, user, "/admin")
	}
	if err != nil {
		h.refuse(w, r, "install", err)
	}
}

func (h *appCallbacks) load(w http.ResponseWriter, r *http.Request) {
	shop, user, asked, err := h.steps.Load(r.Context(), r.URL.Query())
	if err == nil {
		err = h.openAdmin(w, r, shop, user, h.server.LoadPage(asked))
	}
	if err != nil {
		h.refuse(w, r, "load", err)
	}
}

func (h *appCallbacks) uninstall(w http.ResponseWriter, r *http.Request) {
	if _, err := h.steps.Uninstall(r.Context(), r.URL.Query()); err != nil {
		h.refuse(w, r, "uninstall", err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"uninstalled": true})
}

func (h *appCallbacks) removeUser(w http.ResponseWriter, r *http.Request) {
	if _, err := h.steps.RemoveUser(r.Context(), r.URL.Query()); err != nil {
		h.refuse(w, r, "remove_user", err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]bool{"removed": true})
}

// openAdmin starts the user's session for the shop and sends the browser
// (the control panel's iframe) to the admin's page.
func (h *appCallbacks) openAdmin(w http.ResponseWriter, r *http.Request, shop *stockbell.Shop, user *stockbell.ShopUser, page string) error {
	w.Header().Set("Cache-Control", "no-store")
	if h.sessions == nil {
		http.Redirect(w, r, adminHome(shop), http.StatusFound)
		return nil
	}
	err := h.sessions.StartSession(w, r, shop.ID, stockbell.AdminUser{ID: user.UserID, Email: user.Email}, CallbackDoor(h.platform))
	if err != nil {
		return err
	}
	http.Redirect(w, r, page, http.StatusFound)
	return nil
}

// LoadPage returns the admin page a load callback opens for the page of
// the app the control panel asked for (asked): "/admin" for its home ("" or
// "/"); for a path, that path under /admin (/settings, /sync-log?kind=failed;
// one already under /admin is kept) when it is a page of the admin: a GET
// route of this server under /admin, other than the sign-in page and the
// admin's static files, written
// plainly (no "..", no backslash or control character). Anything else (an
// App Extension's /products/123, another site) opens "/admin".
func (s *Server) LoadPage(asked string) string {
	const home = "/admin"
	if asked == "" || asked == "/" || !strings.HasPrefix(asked, "/") || strings.HasPrefix(asked, "//") {
		return home
	}
	page := asked
	if !returnPage(page) {
		page = home + asked
	}
	u, err := url.Parse(page)
	if err != nil || !returnPage(page) || u.Path != path.Clean(u.Path) || u.Path == home || strings.HasPrefix(u.Path, "/admin/static/") {
		return home
	}
	var match mux.RouteMatch
	if !s.router.Match(&http.Request{Method: http.MethodGet, URL: u}, &match) || match.MatchErr != nil {
		return home
	}
	return page
}

// refuse logs why a callback failed and answers with a page saying it (the
// error's JSON to uninstall and remove_user, which the platform's servers
// call).
func (h *appCallbacks) refuse(w http.ResponseWriter, r *http.Request, step string, err error) {
	status := statusOf(err, platformStatuses)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	h.server.Logger.Log(r.Context(), level, "app callback refused", "platform", h.platform, "step", step, "status", status, "err", err)
	message := stockbell.ErrorMessage(err)
	if status >= 500 && stockbell.ErrorCode(err) != stockbell.EUPSTREAM {
		message = "Something went wrong on our side."
	}
	w.Header().Set("Cache-Control", "no-store")
	if step == "uninstall" || step == "remove_user" {
		// Called by the platform's servers, which read JSON.
		writeErrorJSON(w, status, stockbell.Errorf(stockbell.ErrorCode(err), "%s", message))
		return
	}
	// The page is shown in the control panel's iframe and holds no form or
	// button: the control panels may frame it.
	setPagePolicy(w, pagePolicy{Styles: defaultPagePolicy.Styles, FrameAncestors: controlPanels(h.platform)})
	page := callbackFailedPage
	if step == "install" {
		page = installFailedPage
	}
	if err := WriteHTML(w, status, page, struct{ Platform, Message string }{h.platform.Name(), message}); err != nil {
		h.server.Logger.Error("callback page failed", "err", err)
	}
}

var callbackFailedPage = template.Must(template.New("callback-failed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stockbell</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>Stockbell could not open</h1>
<p>{{.Message}}</p>
<p>Nothing was changed. Open Stockbell again from your {{.Platform}} control panel.</p>
</body></html>`))

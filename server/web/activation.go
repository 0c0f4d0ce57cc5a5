package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"

	stockbell "github.com/stockbell/stockbell"
)

// MaxActivationBytes bounds an activation form.
const MaxActivationBytes = 64 << 10

// IntegrationActivation is an integration that the platform activates by
// posting its OAuth 1.0a consumer credentials to the app (Magento's
// integrations), as plain steps (magento.Integration implements them).
type IntegrationActivation interface {
	// Activate exchanges the posted credentials and installs the shop.
	// EINVALID names a missing field; EUNAUTHORIZED when the store refuses
	// the exchange; nothing is created then.
	Activate(ctx context.Context, form url.Values) (*stockbell.Shop, error)
	// Identity checks the identity link that follows an activation.
	Identity(ctx context.Context, query url.Values) (*stockbell.MagentoIdentity, error)
}

// ModuleSetup is what the identity page tells the merchant to paste into
// the platform module's configuration.
type ModuleSetup struct {
	// AppURL is this server's public URL, the module's "Stockbell URL".
	AppURL string
}

// RegisterActivation serves an OAuth 1.0a integration's routes under
// /auth/{platform}/:
//
//   - POST callback: the platform posts the activation form
//     (oauth_consumer_key, oauth_consumer_secret, store_base_url,
//     oauth_verifier); answered 200 {"activated":true,"shop":…} once the
//     token exchange is done and the shop installed, else 400/401/502
//     with the error's JSON;
//   - GET identity: the merchant's browser, right after activation; the
//     merchant is signed in to the shop's admin and shown the module's
//     settings, with a link back to the platform (success_call_back).
func (s *Server) RegisterActivation(platform stockbell.Platform, steps IntegrationActivation, setup ModuleSetup) {
	h := &activationHandler{server: s, platform: platform, steps: steps, setup: setup}
	base := "/auth/" + string(platform)
	s.router.HandleFunc(base+"/callback", h.activate).Methods(http.MethodPost)
	s.router.HandleFunc(base+"/identity", h.identity).Methods(http.MethodGet)
}

type activationHandler struct {
	server   *Server
	platform stockbell.Platform
	steps    IntegrationActivation
	setup    ModuleSetup
}

func (h *activationHandler) activate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxActivationBytes)
	if err := r.ParseForm(); err != nil {
		h.server.writeError(w, r, stockbell.FieldErrorf("body", "The activation is not a form of at most %d bytes.", MaxActivationBytes), platformStatuses)
		return
	}
	shop, err := h.steps.Activate(r.Context(), r.PostForm)
	if err != nil {
		h.server.writeError(w, r, err, platformStatuses)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"activated": true, "shop": shop.Domain})
}

func (h *activationHandler) identity(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	grant, err := h.steps.Identity(r.Context(), r.URL.Query())
	if err == nil && h.server.admin != nil {
		err = h.server.admin.StartSession(w, r, grant.Shop.ID, stockbell.AdminUser{}, "install:"+string(h.platform))
	}
	if err != nil {
		h.server.writeErrorPage(w, r, err, platformStatuses)
		return
	}
	page := identityPage{Platform: h.platform.Name(), Shop: grant.Shop.Domain, AppURL: h.setup.AppURL,
		Secret: grant.ModuleSecret, ReturnURL: template.URL(grant.ReturnURL), Admin: h.server.admin != nil}
	if err := WriteHTML(w, http.StatusOK, identityTemplate, page); err != nil {
		h.server.Logger.Error("identity page failed", "err", err)
	}
}

type identityPage struct {
	Platform, Shop, AppURL, Secret string
	// ReturnURL was checked to be on the store's own host.
	ReturnURL template.URL
	Admin     bool
}

var identityTemplate = template.Must(template.New("identity").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stockbell is connected</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Stockbell is connected to {{.Shop}}</h1>
<p>One step is left: let the Stockbell module post stock changes. Install it (<code>integrations/magento/module/</code>
in Stockbell's repository, as <code>docs/magento.md</code> says), then in the {{.Platform}} admin open
<b>Stores › Configuration › Services › Stockbell Back in Stock › Connection</b>, set these and save:</p>
<dl>
<dt>Post stock changes</dt><dd>Yes</dd>
<dt>Stockbell URL</dt><dd><code id="stockbell-url">{{.AppURL}}</code></dd>
<dt>Shared secret</dt><dd><code id="module-secret">{{.Secret}}</code></dd>
</dl>
<p>Keep the secret private: it signs every stock change the store sends. Copy the secret now: Stockbell's admin does not
show it; this page does, for an hour after the activation, and again after you press <b>Reauthorize</b> in
<b>System › Extensions › Integrations</b> (which keeps the same secret).</p>
<p>{{if .Admin}}<a href="/admin" target="_blank" rel="noopener">Open the Stockbell admin</a> · {{end}}<a id="return" href="{{.ReturnURL}}">Done: back to {{.Platform}}</a></p>
</body></html>`))

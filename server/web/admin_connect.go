package web

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// ShopConnector connects a shop that no app store installs: the merchant
// gives its URL and an API key, which the connector checks against the
// shop before installing it (prestashop.Integration implements it). It
// returns the shop and the module secret to show once; EINVALID naming
// shop_url or webservice_key, with nothing stored, when it cannot.
type ShopConnector interface {
	Connect(ctx context.Context, shopURL, key string) (*stockbell.Shop, string, error)
}

// ConnectPath is where a platform's shops connect: /auth/{platform}/connect.
func ConnectPath(platform stockbell.Platform) string { return "/auth/" + string(platform) + "/connect" }

// ConnectDoor names the admin sessions a connect opens.
func ConnectDoor(platform stockbell.Platform) string { return "connect:" + string(platform) }

// ConnectAnswer is the JSON answer of a connect made by the platform's
// module: the shop, its public key for the snippet, and the module secret,
// which is given this once.
type ConnectAnswer struct {
	Shop         string `json:"shop"`
	ShopID       int64  `json:"shop_id"`
	PublicKey    string `json:"public_key"`
	ModuleSecret string `json:"module_secret"`
	// StockbellURL is this server's public URL, which the module posts to
	// (WebhookURL) and loads the snippet from.
	StockbellURL string `json:"stockbell_url"`
	WebhookURL   string `json:"webhook_url"`
}

// connectRequest is the JSON body of a module's connect.
type connectRequest struct {
	ShopURL       string `json:"shop_url"`
	WebserviceKey string `json:"webservice_key"`
}

// RegisterShopConnect serves a platform's connect, which needs no admin
// session (the key is the proof):
//
//   - GET /auth/{platform}/connect: a form for the shop URL and the key;
//   - POST with the form (CSRF nonce bound to this browser by a cookie):
//     the shop is connected, the merchant signed in to its admin, and the
//     module secret shown once; a refusal shows the form again with why;
//   - POST with Content-Type application/json {"shop_url","webservice_key"}
//     (the platform module's configuration page, server to server): 201
//     with ConnectAnswer, or 400 naming the field.
func (a *Admin) RegisterShopConnect(platform stockbell.Platform, connector ShopConnector, publicURL string) {
	base := strings.TrimRight(publicURL, "/")
	h := &shopConnect{admin: a, platform: platform, connector: connector, publicURL: base, webhookURL: base + WebhookPath(platform)}
	a.server.router.HandleFunc(ConnectPath(platform), h.form).Methods(http.MethodGet, http.MethodHead)
	a.server.router.HandleFunc(ConnectPath(platform), h.connect).Methods(http.MethodPost)
}

type shopConnect struct {
	admin      *Admin
	platform   stockbell.Platform
	connector  ShopConnector
	publicURL  string
	webhookURL string
}

// connectPage is what the connect page shows.
type connectPage struct {
	Platform, Action, Nonce, ShopURL, Error, Field string
	// Shop and ModuleSecret are set once connected.
	Shop         *stockbell.Shop
	ModuleSecret string
	StockbellURL string
}

func (h *shopConnect) form(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, connectPage{ShopURL: r.URL.Query().Get("shop_url")})
}

func (h *shopConnect) render(w http.ResponseWriter, r *http.Request, status int, page connectPage) {
	nonce, err := h.admin.issueFormNonce(w, r)
	if err != nil {
		h.admin.Fail(w, r, nil, err)
		return
	}
	page.Platform, page.Action, page.Nonce = h.platform.Name(), ConnectPath(h.platform), nonce
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.admin.renderPublic(w, status, "connect", "Connect your "+h.platform.Name()+" shop", page)
}

func (h *shopConnect) connect(w http.ResponseWriter, r *http.Request) {
	if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType == "application/json" {
		h.connectJSON(w, r)
		return
	}
	if err := parseAdminForm(w, r); err != nil {
		h.admin.Fail(w, r, nil, err)
		return
	}
	if err := h.admin.checkFormNonce(w, r); err != nil {
		h.admin.Fail(w, r, nil, stockbell.Errorf(stockbell.EFORBIDDEN, "This form expired or was not opened in this browser: open %s again.", ConnectPath(h.platform)))
		return
	}
	shopURL := r.PostFormValue("shop_url")
	shop, secret, err := h.connector.Connect(r.Context(), shopURL, r.PostFormValue("webservice_key"))
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		h.render(w, r, http.StatusBadRequest, connectPage{ShopURL: shopURL, Error: stockbell.ErrorMessage(err), Field: stockbell.ErrorField(err)})
		return
	}
	if err == nil {
		err = h.admin.StartSession(w, r, shop.ID, stockbell.AdminUser{}, ConnectDoor(h.platform))
	}
	if err != nil {
		h.admin.Fail(w, r, nil, err)
		return
	}
	h.admin.renderPublic(w, http.StatusCreated, "connect", h.platform.Name()+" shop connected",
		connectPage{Platform: h.platform.Name(), Shop: shop, ModuleSecret: secret, StockbellURL: h.publicURL})
}

// connectJSON is the module's door: no cookie is read or set, so there is
// nothing for another site to forge; the key is the credential.
func (h *shopConnect) connectJSON(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, 64<<10)
	var req connectRequest
	if err == nil && json.Unmarshal(body, &req) != nil {
		err = stockbell.FieldErrorf("body", "The body is not {\"shop_url\": …, \"webservice_key\": …}.")
	}
	var shop *stockbell.Shop
	var secret string
	if err == nil {
		shop, secret, err = h.connector.Connect(r.Context(), req.ShopURL, req.WebserviceKey)
	}
	if err != nil {
		if status := h.admin.server.writeError(w, r, err, platformStatuses); status < 500 {
			h.admin.Logger.Info("shop connect refused", "platform", h.platform, "status", status, "err", err)
		}
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusCreated, ConnectAnswer{Shop: shop.Domain, ShopID: shop.ID, PublicKey: shop.PublicKey,
		ModuleSecret: secret, StockbellURL: h.publicURL, WebhookURL: h.webhookURL})
}

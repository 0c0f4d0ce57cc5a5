package web

import (
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// apiKeysPage is the API keys page: the shop's keys, a form to make one
// and, right after, the new key, shown this once.
type apiKeysPage struct {
	Keys       []*stockbell.APIKey
	NewKey     string
	NewName    string
	Error      string
	ErrorField string
}

// RegisterAdminPages adds the API's pages to the admin: API keys and
// outbound webhook endpoints, each scoped to the session's shop.
func (a *API) RegisterAdminPages(admin *Admin) {
	a.admin = admin
	admin.HandlePage("/admin/api-keys", NavItem{Label: "API keys", Order: 70}, a.apiKeysPage, http.MethodGet, http.MethodPost)
	admin.Handle("/admin/api-keys/{id:[0-9]+}/revoke", a.revokeAPIKey, http.MethodPost)
	if a.Webhooks != nil {
		admin.HandlePage("/admin/webhooks", NavItem{Label: "Webhooks", Order: 75}, a.webhooksPage, http.MethodGet, http.MethodPost)
		admin.Handle("/admin/webhooks/{id:[0-9]+}/{action:enable|disable|delete}", a.webhookAction, http.MethodPost)
	}
}

// newKeyCookie carries a key just made to the page the form redirects to,
// which shows it once.
var newKeyCookie = onceCookie{name: "stockbell_new_api_key", path: "/admin/api-keys"}

// apiKeysPage lists the keys (GET) and makes one (POST), showing it once.
func (a *API) apiKeysPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page := apiKeysPage{}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		page.NewName = r.PostFormValue("name")
		key, _, err := a.Keys.CreateAPIKey(r.Context(), s.ShopID, page.NewName)
		switch {
		case stockbell.ErrorCode(err) == stockbell.EINVALID:
			page.Error, page.ErrorField, status = stockbell.ErrorMessage(err), stockbell.ErrorField(err), http.StatusUnprocessableEntity
		case err != nil:
			a.admin.Fail(w, r, s, err)
			return
		default:
			a.Logger.Info("API key created", "shop_id", s.ShopID, "by", sessionDecider(s).Label())
			if a.showMadeKeyAfterRedirect(w, r, s, key, page.NewName) {
				return
			}
			page.NewKey = key
		}
	} else if made, ok := a.admin.takeOnce(w, r, s, newKeyCookie); ok {
		page.NewKey, page.NewName = made["key"], made["name"]
	}
	keys, err := a.Keys.FindAPIKeys(r.Context(), s.ShopID)
	if err != nil {
		a.admin.Fail(w, r, s, err)
		return
	}
	page.Keys = keys
	w.Header().Set("Cache-Control", "no-store")
	a.admin.Render(w, r, s, status, "api_keys", "API keys", &page)
}

// showMadeKeyAfterRedirect answers a key made with a redirect to the keys
// page, which shows it once, so that reloading that page, or coming back
// to it, does not post the form again and make another key. It answers
// nothing and returns false inside the Shopify admin, whose requests carry
// no cookie: that page is the form's answer itself.
func (a *API) showMadeKeyAfterRedirect(w http.ResponseWriter, r *http.Request, s *AdminSession, key, name string) bool {
	if s.Embedded {
		return false
	}
	if err := a.admin.keepOnce(w, r, s, newKeyCookie, map[string]string{"key": key, "name": name}); err != nil {
		a.admin.Fail(w, r, s, err)
		return true
	}
	a.admin.Redirect(w, r, s, "/admin/api-keys")
	return true
}

// revokeAPIKey revokes a key of the session's shop; another shop's is 404.
func (a *API) revokeAPIKey(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, err := pathID(r)
	if err == nil {
		_, err = a.Keys.RevokeAPIKey(r.Context(), s.ShopID, id)
	}
	if err != nil {
		a.admin.Fail(w, r, s, err)
		return
	}
	a.Logger.Info("API key revoked", "shop_id", s.ShopID, "key", id, "by", sessionDecider(s).Label())
	a.admin.Redirect(w, r, s, "/admin/api-keys", "notice", "api_key_revoked")
}

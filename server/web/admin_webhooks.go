package web

import (
	"net/http"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// webhooksPage is the Webhooks page: the shop's endpoints with how they
// fare, a form to add one and, right after, its signing secret, shown once.
type webhooksPage struct {
	Endpoints  []*stockbell.WebhookEndpoint
	EventTypes []string
	Form       stockbell.WebhookEndpointCreate
	Created    *stockbell.WebhookEndpoint
	Secret     string
	Error      string
	ErrorField string
}

// Chosen reports whether the form has the event type ticked.
func (p *webhooksPage) Chosen(eventType string) bool {
	for _, t := range p.Form.EventTypes {
		if t == eventType {
			return true
		}
	}
	return false
}

// webhooksPage lists the endpoints (GET) and registers one (POST).
func (a *API) webhooksPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page := webhooksPage{EventTypes: stockbell.WebhookEventTypes, Form: stockbell.WebhookEndpointCreate{EventTypes: stockbell.WebhookEventTypes}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		page.Form = stockbell.WebhookEndpointCreate{ShopID: s.ShopID, URL: r.PostFormValue("url"),
			Description: r.PostFormValue("description"), EventTypes: r.PostForm["event_types"]}
		endpoint, secret, err := a.Webhooks.CreateEndpoint(r.Context(), page.Form)
		switch code := stockbell.ErrorCode(err); {
		case code == stockbell.EINVALID || code == stockbell.ECONFLICT:
			page.Error, page.ErrorField, status = stockbell.ErrorMessage(err), stockbell.ErrorField(err), statusOf(err, nil)
		case err != nil:
			a.admin.Fail(w, r, s, err)
			return
		default:
			page.Created, page.Secret = endpoint, secret
			page.Form = stockbell.WebhookEndpointCreate{EventTypes: stockbell.WebhookEventTypes}
			a.Logger.Info("webhook endpoint added", "shop_id", s.ShopID, "endpoint", endpoint.ID, "by", s.User.Label())
		}
	}
	endpoints, err := a.Endpoints.FindWebhookEndpoints(r.Context(), s.ShopID)
	if err != nil {
		a.admin.Fail(w, r, s, err)
		return
	}
	page.Endpoints = endpoints
	w.Header().Set("Cache-Control", "no-store")
	a.admin.Render(w, r, s, status, "webhooks", "Webhooks", &page)
}

// webhookAction enables, disables or deletes an endpoint of the session's
// shop; another shop's is 404 and nothing changes.
func (a *API) webhookAction(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	id, err := pathID(r)
	action := mux.Vars(r)["action"]
	if err == nil {
		switch action {
		case "delete":
			err = a.Endpoints.DeleteWebhookEndpoint(r.Context(), s.ShopID, id)
		default:
			_, err = a.Endpoints.SetWebhookEndpointEnabled(r.Context(), s.ShopID, id, action == "enable")
		}
	}
	if err != nil {
		a.admin.Fail(w, r, s, err)
		return
	}
	a.Logger.Info("webhook endpoint "+action+"d", "shop_id", s.ShopID, "endpoint", id, "by", s.User.Label())
	a.admin.Redirect(w, r, s, "/admin/webhooks", "notice", "endpoint_"+action+"d")
}

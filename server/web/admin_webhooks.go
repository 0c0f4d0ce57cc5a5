package web

import (
	"net/http"
	"strconv"

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

// newEndpointCookie carries an endpoint just added, and its secret, to
// the page the form redirects to, which shows the secret once.
var newEndpointCookie = onceCookie{name: "stockbell_new_endpoint", path: "/admin/webhooks"}

// webhooksPage lists the endpoints (GET) and registers one (POST).
func (a *API) webhooksPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	page := webhooksPage{EventTypes: stockbell.WebhookEventTypes, Form: stockbell.WebhookEndpointCreate{EventTypes: stockbell.WebhookEventTypes}}
	status := http.StatusOK
	var addedID string
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
			a.Logger.Info("webhook endpoint added", "shop_id", s.ShopID, "endpoint", endpoint.ID, "by", sessionDecider(s).Label())
			if a.showAddedEndpointAfterRedirect(w, r, s, endpoint, secret) {
				return
			}
			page.Form = stockbell.WebhookEndpointCreate{EventTypes: stockbell.WebhookEventTypes}
			addedID, page.Secret = strconv.FormatInt(endpoint.ID, 10), secret
		}
	} else if added, ok := a.admin.takeOnce(w, r, s, newEndpointCookie); ok {
		addedID, page.Secret = added["endpoint"], added["secret"]
	}
	endpoints, err := a.Endpoints.FindWebhookEndpoints(r.Context(), s.ShopID)
	if err != nil {
		a.admin.Fail(w, r, s, err)
		return
	}
	page.Endpoints, page.Created = endpoints, endpointWithID(endpoints, addedID)
	w.Header().Set("Cache-Control", "no-store")
	a.admin.Render(w, r, s, status, "webhooks", "Webhooks", &page)
}

// showAddedEndpointAfterRedirect answers an endpoint added with a redirect
// to the webhooks page, which shows its secret once, so that reloading
// that page, or coming back to it, does not post the form again and add a
// second endpoint that would receive every event twice. It answers nothing
// and returns false inside the Shopify admin, whose requests carry no
// cookie: that page is the form's answer itself.
func (a *API) showAddedEndpointAfterRedirect(w http.ResponseWriter, r *http.Request, s *AdminSession, e *stockbell.WebhookEndpoint, secret string) bool {
	if s.Embedded {
		return false
	}
	added := map[string]string{"endpoint": strconv.FormatInt(e.ID, 10), "secret": secret}
	if err := a.admin.keepOnce(w, r, s, newEndpointCookie, added); err != nil {
		a.admin.Fail(w, r, s, err)
		return true
	}
	a.admin.Redirect(w, r, s, "/admin/webhooks")
	return true
}

// endpointWithID is the endpoint of the list whose id is id written in
// decimal, or nil (none added, or deleted since).
func endpointWithID(endpoints []*stockbell.WebhookEndpoint, id string) *stockbell.WebhookEndpoint {
	for _, e := range endpoints {
		if id != "" && strconv.FormatInt(e.ID, 10) == id {
			return e
		}
	}
	return nil
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
	a.Logger.Info("webhook endpoint "+action+"d", "shop_id", s.ShopID, "endpoint", id, "by", sessionDecider(s).Label())
	a.admin.Redirect(w, r, s, "/admin/webhooks", "notice", "endpoint_"+action+"d")
}

package web

import (
	"context"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// EndpointRegistrar registers a shop's outbound webhook endpoint after
// checking its address, and returns its signing secret (whsec_…) to show
// once (package outbound).
type EndpointRegistrar interface {
	CreateEndpoint(ctx context.Context, create stockbell.WebhookEndpointCreate) (*stockbell.WebhookEndpoint, string, error)
}

// endpointRequest is the body of POST /api/v1/webhooks/endpoints.
type endpointRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
}

// endpointChange is the body of PATCH /api/v1/webhooks/endpoints/{id}.
type endpointChange struct {
	Enabled *bool `json:"enabled"`
}

func (a *API) registerWebhookEndpoints() {
	a.handle("/webhooks/endpoints", a.listEndpoints, http.MethodGet)
	a.handle("/webhooks/endpoints", a.createEndpoint, http.MethodPost)
	a.handle("/webhooks/endpoints/{id:[0-9]+}", a.getEndpoint, http.MethodGet)
	a.handle("/webhooks/endpoints/{id:[0-9]+}", a.changeEndpoint, http.MethodPatch)
	a.handle("/webhooks/endpoints/{id:[0-9]+}", a.deleteEndpoint, http.MethodDelete)
}

func (a *API) listEndpoints(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	endpoints, err := a.Endpoints.FindWebhookEndpoints(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"endpoints": endpoints})
}

// createEndpoint registers an endpoint and answers 201 with it and its
// signing secret, which is shown this once.
func (a *API) createEndpoint(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	var req endpointRequest
	if err := decodeJSON(w, r, &req); err != nil {
		a.server.Error(w, r, err)
		return
	}
	endpoint, secret, err := a.Webhooks.CreateEndpoint(r.Context(), stockbell.WebhookEndpointCreate{ShopID: key.ShopID,
		URL: req.URL, Description: req.Description, EventTypes: req.EventTypes})
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"endpoint": endpoint, "secret": secret})
}

func (a *API) getEndpoint(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	id, err := pathID(r)
	var endpoint *stockbell.WebhookEndpoint
	if err == nil {
		endpoint, err = a.Endpoints.FindWebhookEndpoint(r.Context(), key.ShopID, id)
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"endpoint": endpoint})
}

// changeEndpoint enables (forgetting past failures) or disables an endpoint.
func (a *API) changeEndpoint(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	id, err := pathID(r)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	var change endpointChange
	if err := decodeJSON(w, r, &change); err != nil {
		a.server.Error(w, r, err)
		return
	}
	if change.Enabled == nil {
		a.server.Error(w, r, stockbell.FieldErrorf("enabled", "Give enabled: true or false."))
		return
	}
	endpoint, err := a.Endpoints.SetWebhookEndpointEnabled(r.Context(), key.ShopID, id, *change.Enabled)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"endpoint": endpoint})
}

func (a *API) deleteEndpoint(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	id, err := pathID(r)
	if err == nil {
		err = a.Endpoints.DeleteWebhookEndpoint(r.Context(), key.ShopID, id)
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

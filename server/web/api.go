package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
)

// APIPrefix is where the JSON admin API lives.
const APIPrefix = "/api/v1"

// maxAPIBody is the largest JSON body the admin API reads.
const maxAPIBody = 1 << 20

// FeedSyncer syncs a shop's catalog feed (the feed integration). Both
// methods return ENOTFOUND for a shop without a feed.
type FeedSyncer interface {
	// SyncFeed syncs now, after any sync already running, and reports.
	SyncFeed(ctx context.Context, shopID int64) (*stockbell.SyncReport, error)
	// QueueSync queues a sync for the job workers.
	QueueSync(ctx context.Context, shopID int64) error
}

// APIDeps are the services the JSON admin API calls. Every field is needed
// unless its comment says otherwise.
type APIDeps struct {
	Keys          stockbell.APIKeyService
	Shops         stockbell.ShopService
	Settings      stockbell.SettingsService
	Flows         stockbell.FlowService
	Subscriptions stockbell.SubscriptionService
	Subscribers   stockbell.SubscriberService
	Catalog       stockbell.CatalogService
	// Messages reads the texts held for quiet hours of the subscriptions
	// listed (quiet_hours_until; optional: without it, none is given).
	Messages stockbell.MessageService
	// Endpoints keeps the shop's outbound webhook endpoints; Webhooks
	// registers new ones.
	Endpoints stockbell.WebhookEndpointService
	Webhooks  EndpointRegistrar
	// Reports computes the reports and writes the CSV exports (nil: they
	// are not served).
	Reports *report.Reports
	// Feeds syncs catalog feeds (nil: no shop has one).
	Feeds FeedSyncer
	// SyncLog is the shops' sync logs (GET /sync-log).
	SyncLog stockbell.SyncLogService
	// Metrics counts the subscriptions created (nil: not counted).
	Metrics stockbell.SubscriptionMetrics
	// CheckFlow checks that every text of a flow renders
	// (delivery.ValidateFlow) before PUT /flow stores it, so that a broken
	// template is refused when it is saved, not when every alert of the
	// flow fails to send (nil: not checked).
	CheckFlow func(*stockbell.Flow) error
	Clock     stockbell.Clock
	Logger    *slog.Logger
}

// API serves the JSON admin API under /api/v1 for the shop of the request's
// API key: every read and change is scoped to that shop.
type API struct {
	APIDeps
	server *Server
	// admin, once RegisterAdminPages is called, renders the API's pages.
	admin *Admin
}

// APIHandler serves one request of a key's shop.
type APIHandler func(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey)

// RegisterAPI mounts the JSON admin API and its OpenAPI document.
func (s *Server) RegisterAPI(deps APIDeps) *API {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Clock == nil {
		deps.Clock = stockbell.SystemClock{}
	}
	a := &API{APIDeps: deps, server: s}
	s.router.HandleFunc(APIPrefix+"/openapi.json", serveOpenAPI).Methods(answeredMethods(http.MethodGet)...)
	a.handle("/settings", a.getSettings, http.MethodGet)
	a.handle("/settings", a.putSettings, http.MethodPut)
	a.handle("/flow", a.getFlow, http.MethodGet)
	a.handle("/flow", a.putFlow, http.MethodPut)
	a.handle("/subscriptions", a.listSubscriptions, http.MethodGet)
	a.handle("/subscriptions", a.createSubscription, http.MethodPost)
	a.handle("/subscriptions/{id:[0-9]+}", a.deleteSubscription, http.MethodDelete)
	a.handle("/feed/sync", a.syncFeed, http.MethodPost)
	a.handle("/sync-log", a.listSyncLog, http.MethodGet)
	a.registerWebhookEndpoints()
	a.registerReports()
	return a
}

// handle serves h at APIPrefix+path for requests with a valid API key and
// only the query parameters the OpenAPI document gives the operation.
func (a *API) handle(path string, h APIHandler, method string) {
	route := APIPrefix + path
	a.server.router.Handle(route, a.authenticated(a.takesQuery(method, route, h))).Methods(answeredMethods(method)...)
}

// answeredMethods are the methods a route of method answers: HTTP has
// every GET answer HEAD as well, with GET's status and headers and no body
// (net/http drops the body written to a HEAD request).
func answeredMethods(method string) []string {
	if method == http.MethodGet {
		return []string{http.MethodGet, http.MethodHead}
	}
	return []string{method}
}

// authenticated runs h with the key of "Authorization: Bearer KEY"; a
// missing, unknown or revoked key is answered 401 with the JSON error.
func (a *API) authenticated(h APIHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, err := a.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stockbell"`)
			a.server.Error(w, r, err)
			return
		}
		h(w, r, key)
	})
}

func (a *API) authenticate(r *http.Request) (*stockbell.APIKey, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Send an API key as \"Authorization: Bearer KEY\" (keys are made on the admin's API keys page).")
	}
	return a.Keys.AuthenticateAPIKey(r.Context(), token)
}

// decodeJSON reads a JSON object of at most maxAPIBody into v, refusing
// unknown fields and anything after the object (decodeJSONBody).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r, maxAPIBody)
	if err != nil {
		return err
	}
	return decodeJSONBody(body, v, true)
}

// pathID reads the {id} of the route.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		return 0, stockbell.Errorf(stockbell.ENOTFOUND, "No such id: %s.", mux.Vars(r)["id"])
	}
	return id, nil
}

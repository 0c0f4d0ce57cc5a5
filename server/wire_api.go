package main

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/web"
)

// wireOutbound builds the outbound webhooks and registers their delivery
// and notice jobs: http endpoints and private addresses are allowed in
// development only; admin users are told of a disabled endpoint by email,
// which links where their merchant signs in (platformApps).
func (m *Main) wireOutbound(workers *jobs.Workers, d *delivery.Delivery) *outbound.Webhooks {
	webhooks := outbound.New(outbound.Deps{Endpoints: m.DB, Shops: m.DB, Users: m.DB, Sealer: m.Sealer, Sender: d.Sender,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "webhooks")},
		outbound.Options{Development: m.Config.Development(), PublicURL: m.Config.PublicURL, Apps: platformApps(m.Config)})
	jobs.Handle(workers, webhooks.HandleDelivery, stockbell.WebhookTimeout+5*time.Second)
	jobs.Handle(workers, webhooks.HandleEndpointDisabled, 0)
	return webhooks
}

// wireAPI serves the JSON admin API (/api/v1) on the store, syncing feeds
// through the feed integration and answering reports and exports with
// package report, and adds its pages (API keys, webhooks)
// to the admin.
func (m *Main) wireAPI(feeds *feed.Integration, webhooks *outbound.Webhooks, admin *web.Admin) *web.API {
	reports := &report.Reports{Store: m.DB, Settings: m.DB, Demand: m.DB, Shops: m.DB, Clock: stockbell.SystemClock{}}
	deps := web.APIDeps{Keys: m.DB, Shops: m.DB, Settings: m.DB, Flows: m.DB, Subscriptions: m.DB, Subscribers: m.DB,
		Catalog: m.DB, Messages: m.DB, SyncLog: m.DB, Endpoints: m.DB, Webhooks: webhooks, Reports: reports, Metrics: m.Meters, CheckFlow: delivery.ValidateFlow, Logger: m.Logger.With("component", "api")}
	if feeds != nil {
		deps.Feeds = feeds
	}
	api := m.Web.RegisterAPI(deps)
	api.RegisterAdminPages(admin)
	return api
}

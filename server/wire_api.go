package main

import (
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/server/web"
)

// wireAPI serves the JSON admin API (/api/v1) on the store, syncing feeds
// through the feed integration.
func (m *Main) wireAPI(feeds *feed.Integration) *web.API {
	deps := web.APIDeps{Keys: m.DB, Shops: m.DB, Settings: m.DB, Flows: m.DB, Subscriptions: m.DB, Subscribers: m.DB,
		Catalog: m.DB, Logger: m.Logger.With("component", "api")}
	if feeds != nil {
		deps.Feeds = feeds
	}
	return m.Web.RegisterAPI(deps)
}

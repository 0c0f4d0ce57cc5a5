package main

import (
	"context"

	"github.com/riverqueue/river"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/web"
)

type (
	riverWorkers = river.Workers
	periodicJob  = river.PeriodicJob
)

// components is what wiring produced that Run still needs.
type components struct {
	periodic []*periodicJob
}

// wire builds the domain components on the open database, registers their
// job handlers and mounts their routes.
func (m *Main) wire(ctx context.Context, workers *riverWorkers) (*components, error) {
	m.wireStorefront()
	deliveries := integrations.NewRegistry(m.DB, m.Logger.With("component", "webhooks"))
	jobs.Handle(workers, deliveries.ProcessWebhook, 0)
	return &components{}, nil
}

func (m *Main) wireStorefront() {
	storefront := &web.Storefront{
		Shops: m.DB, Origins: m.DB, Catalog: m.DB, Subscriptions: m.DB,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "storefront"),
		Development: m.Config.Development(), TrustedProxies: m.Config.TrustedProxies,
	}
	storefront.SetRateLimits(m.Config.RateLimitIP, m.Config.RateLimitContact)
	storefront.Register(m.Web)
}

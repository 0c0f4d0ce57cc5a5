package main

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/web"
)

// wireMagento serves Magento's activation, identity link and module posts,
// and registers its jobs. Magento needs no app registration, so it is
// always on; in development store base URLs may be http and loopback or
// private (a local store), in production only https on public addresses.
func (m *Main) wireMagento(registry *integrations.Registry, workers *jobs.Workers) {
	clock := stockbell.SystemClock{}
	logger := m.Logger.With("component", "magento")
	development := m.Config.Development()
	integration := &magento.Integration{Shops: m.DB, Catalog: m.DB, Secrets: m.DB, Activations: m.DB, SyncLog: m.DB,
		Jobs: m.Queue, Sealer: m.Sealer, Client: magento.NewClient(development), Clock: clock, Logger: logger,
		AllowHTTP: development}
	m.Web.RegisterActivation(stockbell.PlatformMagento, integration, web.ModuleSetup{AppURL: m.Config.PublicURL})
	m.Web.RegisterWebhook(stockbell.PlatformMagento, &magento.WebhookVerifier{Shops: m.DB, Secrets: m.DB, Sealer: m.Sealer, Clock: clock}, m.DB)
	registry.Register(stockbell.PlatformMagento, integration)
	jobs.Handle(workers, integration.SyncCatalog, 30*time.Minute)
	jobs.Handle(workers, integration.Reconcile, 10*time.Minute)
	jobs.Every(workers, 15*time.Minute, func() stockbell.JobArgs { return stockbell.MagentoReconcileJob{} })
	// Magento tells of no deletion: a daily catalog sync finds the deleted products.
	jobs.Every(workers, 24*time.Hour, func() stockbell.JobArgs { return stockbell.MagentoCatalogSyncJob{} })
}

// As Shopify's (wire.go), this platform's receipts are processed a claim at
// a time.
var _ integrations.BatchReceiptProcessor = (*magento.Integration)(nil)

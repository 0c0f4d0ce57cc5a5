package main

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/web"
)

// wireBigCommerce serves the BigCommerce callbacks and webhooks and
// registers its jobs, when a BigCommerce app is configured
// (BIGCOMMERCE_CLIENT_ID).
func (m *Main) wireBigCommerce(registry *integrations.Registry, workers *jobs.Workers, admin *web.Admin) error {
	cfg := m.Config.BigCommerce
	if !cfg.Enabled() {
		m.Logger.Info("BigCommerce not configured (BIGCOMMERCE_CLIENT_ID unset)")
		return nil
	}
	clock := stockbell.SystemClock{}
	logger := m.Logger.With("component", "bigcommerce")
	sealer := m.Sealer
	integration := &bigcommerce.Integration{Config: cfg, Shops: m.DB, Catalog: m.DB, Secrets: m.DB, Conversions: m.DB,
		SyncLog: m.DB, Jobs: m.Queue, Sealer: sealer, Client: bigcommerce.NewClient(cfg.APIURL, clock, logger),
		Clock: clock, Logger: logger}
	steps := oauth.NewBigCommerce(cfg, m.DB, m.DB, sealer, integration, m.Queue, clock, logger)
	m.Web.RegisterAppCallbacks(stockbell.PlatformBigCommerce, steps, admin)
	m.Web.RegisterWebhook(stockbell.PlatformBigCommerce, &bigcommerce.WebhookVerifier{Secrets: m.DB, Shops: m.DB}, m.DB)

	registry.Register(stockbell.PlatformBigCommerce, integration)
	jobs.Handle(workers, integration.RegisterHooks, 5*time.Minute)
	jobs.Handle(workers, integration.RetryUninstall, time.Minute)
	jobs.Handle(workers, integration.SyncCatalog, 30*time.Minute)
	jobs.Handle(workers, integration.Reconcile, 10*time.Minute)
	jobs.Every(workers, 15*time.Minute, func() stockbell.JobArgs { return stockbell.BigCommerceReconcileJob{} })
	jobs.Every(workers, time.Hour, func() stockbell.JobArgs { return stockbell.BigCommerceRegisterHooksJob{} })
	// A hook BigCommerce deactivated lost its events until re-created:
	// every store's complete catalog is synced once a day, in its own hour.
	jobs.Every(workers, stockbell.CatalogResyncFanOut, func() stockbell.JobArgs { return stockbell.BigCommerceCatalogSyncJob{} })
	return nil
}

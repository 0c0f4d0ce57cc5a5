package main

import (
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

// newPrestaShopIntegration builds the PrestaShop integration on the
// database, for the server and the shop command alike: credentials and
// module secrets sealed for their shop with the token sealer; shops on
// loopback or private addresses, and plain http, allowed in development
// only.
func newPrestaShopIntegration(cfg *Config, db *store.DB, queue stockbell.JobInserter, sealer stockbell.TokenSealer, logger *slog.Logger) *prestashop.Integration {
	return &prestashop.Integration{Shops: db, Catalog: db, SyncLog: db, Jobs: queue, Sealer: sealer,
		Client: prestashop.NewClient(cfg.Development(), logger), Clock: stockbell.SystemClock{}, Logger: logger}
}

// wirePrestaShop serves the connect page and the module's posts, and
// registers the catalog sync (daily, and at connect) and the
// reconciliation (every 15 minutes); the elected leader inserts the
// periodic runs. PrestaShop needs no app configuration: it is always on.
func (m *Main) wirePrestaShop(registry *integrations.Registry, workers *jobs.Workers, admin *web.Admin) {
	logger := m.Logger.With("component", "prestashop")
	in := newPrestaShopIntegration(m.Config, m.DB, m.Queue, m.Sealer, logger)
	admin.RegisterShopConnect(stockbell.PlatformPrestaShop, in, web.ShopConnectOptions{PublicURL: m.Config.PublicURL,
		TrustedProxies: m.Config.TrustedProxies})
	m.Web.RegisterWebhook(stockbell.PlatformPrestaShop, &prestashop.WebhookVerifier{Shops: m.DB, Secrets: m.DB, Sealer: m.Sealer,
		Clock: stockbell.SystemClock{}}, m.DB)
	registry.Register(stockbell.PlatformPrestaShop, in)
	jobs.Handle(workers, in.SyncCatalog, 30*time.Minute)
	jobs.Handle(workers, in.Reconcile, 10*time.Minute)
	jobs.Every(workers, 15*time.Minute, func() stockbell.JobArgs { return stockbell.PrestaShopReconcileJob{} })
	// A sync the webservice refused is not retried: the daily one reads the shop again.
	jobs.Every(workers, 24*time.Hour, func() stockbell.JobArgs { return stockbell.PrestaShopCatalogSyncJob{} })
}

// As Shopify's (wire.go), this platform's receipts are processed a claim at
// a time.
var _ integrations.BatchReceiptProcessor = (*prestashop.Integration)(nil)

package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet"
)

// wire builds the components on the store, in the order they depend on one
// another; each registers its routes with the web server and its job
// handlers with workers as it is built. Nothing receives a dependency after
// it is built. The functions below follow in the same order.
func (m *Main) wire(workers *jobs.Workers) error {
	if err := m.wireSnippet(); err != nil {
		return err
	}
	d, err := m.wireRestock(workers)
	if err != nil {
		return err
	}
	m.wireStorefront(d)
	registry := integrations.NewRegistry(m.DB, m.Logger.With("component", "webhooks"))
	jobs.Handle(workers, registry.ProcessReceipt, 0)
	m.drainer = &integrations.Drainer{Registry: registry, Logger: m.Logger.With("component", "webhooks")}
	m.wireReceiptSweep(workers)
	dataRequests := m.wireDataRequests(workers)
	shopifyInstall, err := m.wireShopify(registry, workers, dataRequests)
	if err != nil {
		return err
	}
	reports, reportLinks := m.wireReports(workers, d)
	feeds := newFeedIntegration(m.Config, m.DB, m.Queue, m.Sealer, m.Logger.With("component", "feed"))
	admin, err := m.wireAdmin(registry, d, shopifyInstall, dataRequests, reports, reportLinks, feeds)
	if err != nil {
		return err
	}
	if err := m.wireBigCommerce(registry, workers, admin); err != nil {
		return err
	}
	m.wireMagento(registry, workers)
	m.wirePrestaShop(registry, workers, admin)
	m.wireFeed(workers, feeds)
	m.wireAPI(feeds, m.wireOutbound(workers, d), admin)
	return nil
}

// wireSnippet serves the storefront snippet's files.
func (m *Main) wireSnippet() error {
	bundle, err := snippetBundle()
	if err != nil {
		return err
	}
	m.Web.RegisterSnippet(bundle)
	m.Logger.Info("snippet built", "path", bundle.Path(), "bytes", len(bundle.JS))
	return nil
}

// snippetBundle bundles the storefront snippet once per process. The
// bundle depends only on the sources embedded in the binary and nothing
// changes it once built, so a second Main in the same process (the
// end-to-end tests start one per test) serves the same files rather than
// bundling and compressing them again (about 80 ms of CPU each time).
var snippetBundle = sync.OnceValues(func() (*snippet.Bundle, error) {
	return snippet.Build(snippet.Options{Debug: false})
})

// wireStorefront serves the storefront API the snippet posts to, clicks
// reported from product pages counted by delivery's short links.
func (m *Main) wireStorefront(d *delivery.Delivery) {
	storefront := &web.Storefront{
		Shops: m.DB, Origins: m.DB, Catalog: m.DB, Subscriptions: m.DB, Settings: m.DB, Clicks: d.Links,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "storefront"), Metrics: m.Meters,
		Development: m.Config.Development(), TrustedProxies: m.Config.TrustedProxies,
	}
	storefront.SetRateLimits(m.Config.RateLimitIP, m.Config.RateLimitContact)
	m.Web.RegisterStorefront(storefront)
}

// wireRestock builds delivery (templates, senders, the unsubscribe and
// short-link services, served by the web server), then the restock engine
// and the message sender, and registers their job handlers. It returns
// delivery for the admin (flow previews, tests, invitations).
func (m *Main) wireRestock(workers *jobs.Workers) (*delivery.Delivery, error) {
	clock := stockbell.SystemClock{}
	d, err := m.newDelivery()
	if err != nil {
		return nil, err
	}
	m.closers = append(m.closers, d.Close)
	m.Web.RegisterUnsubscribe(d.Unsubscribes)
	m.Web.RegisterShortLinks(d.Links)
	m.Web.RegisterConfirmations(d.Confirmations, inboundVerifier(d))
	jobs.Handle(workers, d.Confirmations.HandleSendConfirmation, 0)

	engine := &restock.Engine{Store: m.DB, Clock: clock, Logger: m.Logger.With("component", "restock"), Metrics: m.Meters}
	jobs.Handle(workers, engine.HandleStockChanged, 0)
	jobs.Handle(workers, engine.HandleWaitEnded, 0)
	jobs.Handle(workers, engine.HandleBatch, 0)
	messenger := &restock.Messenger{Store: m.DB, Renderer: d.Renderer, Sender: d.Sender, Clock: clock,
		Logger: m.Logger.With("component", "messages"), Metrics: m.Meters}
	jobs.Handle(workers, messenger.HandleSendMessage, 0)
	return d, nil
}

// newDelivery builds the senders the configuration names. A channel
// without a provider goes to the development sender (the admin's Outbox
// and the log) in development; in production its messages are retried
// through their send job's attempts (sent if the operator configures one
// meanwhile), then recorded failed.
func (m *Main) newDelivery() (*delivery.Delivery, error) {
	cfg := m.Config.Delivery
	logger := m.Logger.With("component", "delivery")
	var fallback stockbell.Sender = &delivery.DevSender{Logger: logger, Outbox: m.DB}
	if !m.Config.Development() {
		fallback = unconfiguredSender{}
	}
	d, err := delivery.New(cfg, delivery.Deps{Key: m.Config.SubKey("delivery links", 32), PreviousKeys: m.Config.PreviousSubKeys("delivery links", 32),
		Subscriptions: m.DB, Shops: m.DB, Catalog: m.DB, Clicks: m.DB, Confirmations: m.DB,
		Clock: stockbell.SystemClock{}, Fallback: fallback, Logger: logger, Metrics: m.Meters})
	if setting := deliverySettings[stockbell.ErrorField(err)]; setting != "" {
		return nil, &configError{setting, stockbell.ErrorMessage(err)}
	} else if err != nil {
		return nil, err
	}
	unset := "not configured: messages wait"
	if m.Config.Development() {
		unset = "development sender (kept in the admin's Outbox and the log)"
	}
	logger.Info("delivery", "email", providerName(cfg.SMTP.Enabled(), "smtp", unset), "sms", providerName(cfg.Twilio.Enabled(), "twilio", unset))
	return d, nil
}

// inboundVerifier is the verifier of Twilio's inbound messages, or nil
// (no route) when SMS is not configured.
func inboundVerifier(d *delivery.Delivery) web.InboundVerifier {
	if d.TwilioInbound == nil {
		return nil
	}
	return d.TwilioInbound
}

// deliverySettings names the setting behind a field delivery refuses.
var deliverySettings = map[string]string{"smtp_url": "STOCKBELL_SMTP_URL", "public_url": "STOCKBELL_PUBLIC_URL"}

func providerName(configured bool, name, unset string) string {
	if configured {
		return name
	}
	return unset
}

// unconfiguredSender fails every message transiently, so that messages of
// a channel without a provider are retried (and sent if one is set before
// the send job's last attempt, which records them failed) rather than lost
// or pretended sent.
type unconfiguredSender struct{}

func (unconfiguredSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	return stockbell.SendResult{}, fmt.Errorf("no %s provider is configured (see STOCKBELL_SMTP_URL and STOCKBELL_TWILIO_* in README.md)", out.Channel)
}

// wireReceiptSweep deletes processed webhook receipts, whose payloads may
// hold customers' personal data, once they are past their retention
// (STOCKBELL_RECEIPT_RETENTION).
func (m *Main) wireReceiptSweep(workers *jobs.Workers) {
	sweeper := &integrations.ReceiptSweeper{Receipts: m.DB, Retention: m.Config.ReceiptRetention,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "webhooks")}
	jobs.Handle(workers, sweeper.Sweep, integrations.SweepTimeout)
	jobs.Every(workers, integrations.SweepInterval, func() stockbell.JobArgs { return stockbell.SweepReceiptsJob{} })
}

// wireDataRequests keeps the answers to customers' data requests in the
// data directory and deletes each AnswerRetention after it was written,
// by a periodic job registered whether Shopify is configured or not (it
// may have been before). The Shopify integration writes and erases them;
// the admin erases a contact's when the merchant erases the contact.
func (m *Main) wireDataRequests(workers *jobs.Workers) *shopify.FileDataRequests {
	answers := dataRequestAnswers(m.Config, m.Logger)
	jobs.Handle(workers, answers.Expire, 5*time.Minute)
	jobs.Every(workers, time.Hour, func() stockbell.JobArgs { return stockbell.ExpireDataRequestsJob{} })
	return answers
}

// dataRequestAnswers is where the answers to customers' data requests are
// kept: the server writes and expires them there, and `shop erase` erases
// a shop's.
func dataRequestAnswers(cfg *Config, logger *slog.Logger) *shopify.FileDataRequests {
	return &shopify.FileDataRequests{Dir: filepath.Join(cfg.DataDir, "data-requests"), Clock: stockbell.SystemClock{},
		Logger: logger.With("component", "shopify")}
}

// wireShopify registers Shopify when an app is configured
// (SHOPIFY_API_KEY): its install steps and webhook verifier with the web
// server, its receipt processor with the registry, its job handlers and
// its periodic reconciliation and catalog sync. It returns the install steps, which the
// admin uses to authenticate embedded requests (nil without Shopify).
func (m *Main) wireShopify(registry *integrations.Registry, workers *jobs.Workers, answers *shopify.FileDataRequests) (*oauth.Shopify, error) {
	cfg := m.Config.Shopify
	if !cfg.Enabled() {
		m.Logger.Info("Shopify not configured (SHOPIFY_API_KEY unset)")
		return nil, nil
	}
	clock := stockbell.SystemClock{}
	logger := m.Logger.With("component", "shopify")
	sealer := m.Sealer
	state, err := web.NewStateStore(m.Config.SubKey("oauth state", 32), clock, strings.HasPrefix(m.Config.PublicURL, "https://"),
		m.Config.PreviousSubKeys("oauth state", 32)...)
	if err != nil {
		return nil, err
	}
	install := oauth.NewShopify(cfg, m.DB, sealer, clock, logger)
	m.Web.RegisterInstall(stockbell.PlatformShopify, install, state)
	m.Web.RegisterWebhook(stockbell.PlatformShopify, &shopify.WebhookVerifier{Config: cfg}, m.DB)

	integration := &shopify.Integration{Config: cfg, Shops: m.DB, Catalog: m.DB, Privacy: m.DB, Conversions: m.DB, Jobs: m.Queue, SyncLog: m.DB,
		Sealer: sealer, Tokens: install, Admin: shopify.NewAdminClient(cfg, clock, logger), Clock: clock, Logger: logger,
		DataRequests: answers}
	registry.Register(stockbell.PlatformShopify, integration)
	jobs.Handle(workers, integration.SyncCatalog, shopify.CatalogSyncTimeout)
	jobs.Handle(workers, integration.RegisterWebhooks, 5*time.Minute)
	jobs.Handle(workers, integration.Reconcile, 10*time.Minute)
	jobs.Handle(workers, integration.ReadProductVariants, shopify.ProductVariantsTimeout)
	jobs.Every(workers, 15*time.Minute, func() stockbell.JobArgs { return stockbell.ShopifyReconcileJob{} })
	// Shopify drops a webhook after its retries: every shop's complete
	// catalog is synced once a day, in the shop's own hour.
	jobs.Every(workers, stockbell.CatalogResyncFanOut, func() stockbell.JobArgs { return stockbell.ShopifyCatalogSyncJob{} })
	// Shops installed before tokens expired hold non-expiring ones, which
	// Shopify refuses from January 1, 2027: exchanged at start, and hourly
	// for any left; refresh tokens near their expiry are renewed too.
	jobs.Handle(workers, integration.MigrateToken, time.Minute)
	jobs.Every(workers, time.Hour, func() stockbell.JobArgs { return stockbell.ShopifyTokenMigrationJob{} })
	return install, nil
}

// Shopify's receipts are handed over a claim at a time; the registry finds
// batch processors by assertion, so a change to ProcessReceipts' signature
// must fail here rather than silently process one receipt at a time.
var _ integrations.BatchReceiptProcessor = (*shopify.Integration)(nil)

package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
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

type (
	riverWorkers = river.Workers
	periodicJob  = river.PeriodicJob
)

// components is what wiring produced that Run still needs.
type components struct {
	periodic []*periodicJob
}

// queueHandle lets components built before the queue (which needs their
// workers first) insert jobs once it exists.
type queueHandle struct{ m *Main }

func (q queueHandle) Insert(ctx context.Context, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	return q.m.Queue.Insert(ctx, args, opts)
}

func (q queueHandle) InsertTx(ctx context.Context, tx *sql.Tx, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	return q.m.Queue.InsertTx(ctx, tx, args, opts)
}

// wire builds the domain components on the open database, registers their
// job handlers and mounts their routes.
func (m *Main) wire(ctx context.Context, workers *riverWorkers) (*components, error) {
	c := &components{}
	if err := m.wireSnippet(); err != nil {
		return nil, err
	}
	m.wireStorefront()
	admin, err := m.wireAdmin()
	if err != nil {
		return nil, err
	}
	registry := integrations.NewRegistry(m.DB, m.Logger.With("component", "webhooks"))
	jobs.Handle(workers, registry.ProcessReceipt, 0)
	if err := m.wireShopify(registry, workers, c); err != nil {
		return nil, err
	}
	if err := m.wireBigCommerce(registry, workers, c, admin); err != nil {
		return nil, err
	}
	if _, err := m.wireFeed(workers, c, admin); err != nil {
		return nil, err
	}
	if err := m.wireRestock(workers); err != nil {
		return nil, err
	}
	return c, nil
}

// wireRestock registers the restock engine's job handlers and the message
// sender with the delivery templates, senders and public link handlers.
func (m *Main) wireRestock(workers *riverWorkers) error {
	clock := stockbell.SystemClock{}
	engine := &restock.Engine{Store: m.DB, Clock: clock, Logger: m.Logger.With("component", "restock"), Metrics: m.Meters}
	jobs.Handle(workers, engine.HandleStockChanged, 0)
	jobs.Handle(workers, engine.HandleWaitEnded, 0)
	jobs.Handle(workers, engine.HandleBatch, 0)

	d, err := m.newDelivery()
	if err != nil {
		return err
	}
	m.Web.RegisterUnsubscribe(d.Unsubscribes)
	m.Web.RegisterShortLinks(d.Links)
	m.closers = append(m.closers, d.Close)
	messenger := &restock.Messenger{Store: m.DB, Renderer: d.Renderer, Sender: d.Sender, Clock: clock,
		Logger: m.Logger.With("component", "messages"), Metrics: m.Meters}
	jobs.Handle(workers, messenger.HandleSendMessage, 0)
	return nil
}

// newDelivery builds the senders from STOCKBELL_SMTP_URL and the Twilio
// settings. A channel without a provider goes to the development sender
// (the log) in development; in production its messages wait, retried, until
// the operator configures one.
func (m *Main) newDelivery() (*delivery.Delivery, error) {
	cfg, err := delivery.ConfigFromEnv(m.getenv)
	if err != nil {
		return nil, &configError{stockbell.ErrorField(err), stockbell.ErrorMessage(err)}
	}
	cfg.PublicURL = m.Config.PublicURL
	logger := m.Logger.With("component", "delivery")
	var fallback stockbell.Sender = &delivery.DevSender{Logger: logger}
	if !m.Config.Development() {
		fallback = unconfiguredSender{}
	}
	d, err := delivery.New(cfg, delivery.Deps{Key: m.Config.SubKey("delivery links", 32),
		Subscriptions: m.DB, Shops: m.DB, Catalog: m.DB, Clicks: m.DB,
		Clock: stockbell.SystemClock{}, Fallback: fallback})
	if err != nil {
		return nil, err
	}
	unset := "not configured: messages wait"
	if m.Config.Development() {
		unset = "development sender (the log)"
	}
	logger.Info("delivery", "email", providerName(cfg.SMTP.Enabled(), "smtp", unset), "sms", providerName(cfg.Twilio.Enabled(), "twilio", unset))
	return d, nil
}

func providerName(configured bool, name, unset string) string {
	if configured {
		return name
	}
	return unset
}

// unconfiguredSender fails every message transiently, so that messages of
// a channel without a provider are retried (and sent once one is set)
// rather than lost or pretended sent.
type unconfiguredSender struct{}

func (unconfiguredSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	return stockbell.SendResult{}, fmt.Errorf("no %s provider is configured (see STOCKBELL_SMTP_URL and STOCKBELL_TWILIO_* in README.md)", out.Channel)
}

func (m *Main) wireSnippet() error {
	bundle, err := snippet.Build(snippet.Options{Debug: false})
	if err != nil {
		return err
	}
	m.Web.RegisterSnippet(bundle)
	m.Logger.Info("snippet built", "path", bundle.Path(), "bytes", len(bundle.JS))
	return nil
}

func (m *Main) wireStorefront() {
	storefront := &web.Storefront{
		Shops: m.DB, Origins: m.DB, Catalog: m.DB, Subscriptions: m.DB,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "storefront"),
		Development: m.Config.Development(), TrustedProxies: m.Config.TrustedProxies,
	}
	storefront.SetRateLimits(m.Config.RateLimitIP, m.Config.RateLimitContact)
	m.Web.RegisterStorefront(storefront)
}

// wireShopify mounts the Shopify install and webhook routes and registers
// its jobs, when a Shopify app is configured (SHOPIFY_API_KEY).
func (m *Main) wireShopify(registry *integrations.Registry, workers *riverWorkers, c *components) error {
	cfg, err := stockbell.ShopifyConfigFromEnv(m.getenv)
	if err != nil {
		return &configError{stockbell.ErrorField(err), stockbell.ErrorMessage(err)}
	}
	if !cfg.Enabled() {
		m.Logger.Info("Shopify not configured (SHOPIFY_API_KEY unset)")
		return nil
	}
	clock := stockbell.SystemClock{}
	logger := m.Logger.With("component", "shopify")
	sealer, err := m.tokenSealer()
	if err != nil {
		return err
	}
	state, err := web.NewStateStore(m.Config.SubKey("oauth state", 32), clock, strings.HasPrefix(m.Config.PublicURL, "https://"))
	if err != nil {
		return err
	}
	queue := queueHandle{m}
	m.Web.RegisterInstall(stockbell.PlatformShopify, oauth.NewShopify(cfg, m.DB, sealer, clock, logger), state)
	m.Web.RegisterWebhook(stockbell.PlatformShopify, &shopify.WebhookVerifier{Config: cfg, Shops: m.DB}, m.DB)

	integration := &shopify.Integration{Config: cfg, Shops: m.DB, Catalog: m.DB, Privacy: m.DB, Conversions: m.DB, Jobs: queue,
		Sealer: sealer, Admin: shopify.NewAdminClient(cfg, clock, logger), Clock: clock, Logger: logger,
		DataRequests: &shopify.FileDataRequests{Dir: filepath.Join(m.Config.DataDir, "data-requests"), Logger: logger}}
	registry.Register(stockbell.PlatformShopify, integration)
	jobs.Handle(workers, integration.SyncCatalog, 30*time.Minute)
	jobs.Handle(workers, integration.RegisterWebhooks, 5*time.Minute)
	jobs.Handle(workers, integration.Reconcile, 10*time.Minute)
	c.periodic = append(c.periodic, jobs.Every(15*time.Minute, func() stockbell.JobArgs { return stockbell.ShopifyReconcileJob{} }))
	return nil
}

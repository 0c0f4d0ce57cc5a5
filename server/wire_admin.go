package main

import (
	"context"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/web"
)

// wireAdmin builds the merchant admin and mounts its pages; in
// development it also seeds the demo shop and mounts the first run.
// dataRequests are the Shopify data requests' answers, which the Privacy
// requests page erases with a Shopify shop's contact.
// feeds shows a feed shop's feed on the Sync log page and reads it on
// request.
func (m *Main) wireAdmin(registry *integrations.Registry, d *delivery.Delivery, shopify *oauth.Shopify, dataRequests stockbell.DataRequestSink,
	reports *report.Reports, reportLinks *report.Links, feeds *feed.Integration) (*web.Admin, error) {
	deps := web.AdminDeps{
		Shops: m.DB, Settings: m.DB, Flows: m.DB, Activity: m.DB, Subscriptions: m.DB, Subscribers: m.DB, Privacy: m.DB, DataRequests: dataRequests, Events: m.DB,
		Messages: m.DB, Catalog: m.DB, SyncLog: m.DB, SignInLinks: m.DB, EndedSessions: m.DB, ShopUsers: m.DB, Origins: m.DB, Held: m.DB, Renderer: d.Renderer, Sender: d.Sender,
		Clock: stockbell.SystemClock{}, Logger: m.Logger.With("component", "admin"),
		Reports: reports, ReportSchedule: m.DB, ReportLinks: reportLinks, Feeds: feeds,
	}
	opts := web.AdminOptions{
		SessionKey:          m.Config.SubKey("admin session", 32),
		PreviousSessionKeys: m.Config.PreviousSubKeys("admin session", 32),
		SecureCookies:       strings.HasPrefix(m.Config.PublicURL, "https://"),
		Development:         m.Config.Development(),
		PublicURL:           m.Config.PublicURL,
		AllowPrivateFetch:   m.Config.Development(),
	}
	if shopify != nil {
		deps.Shopify, opts.ShopifyAPIKey = shopify, shopify.Config.APIKey
	}
	if m.Config.Development() {
		deps.Outbox = m.DB
		deps.Demo = &demo.Simulator{Receipts: m.DB, Clock: stockbell.SystemClock{}, Wait: demo.ApplyWait}
	}
	admin, err := web.NewAdmin(deps, opts)
	if err != nil {
		return nil, err
	}
	admin.Register(m.Web)
	if m.Config.Development() {
		if err := m.wireDemo(context.Background(), admin, registry); err != nil {
			return nil, err
		}
	}
	return admin, nil
}

// wireDemo seeds the demo shop on first start, routes its receipts, mounts
// the landing page and /demo, and logs a sign-in link to its admin.
// Development only: production never has a demo shop.
func (m *Main) wireDemo(ctx context.Context, admin *web.Admin, registry *integrations.Registry) error {
	logger := m.Logger.With("component", "demo")
	shop, created, err := demo.Seed(ctx, m.DB, m.DB, m.Config.PublicURL)
	if err != nil {
		return err
	}
	if created {
		if err := demo.RecordSyncLogExamples(ctx, m.DB, shop.ID, stockbell.SystemClock{}.Now()); err != nil {
			return err
		}
		// Its texts go to the Outbox, never to a phone: a newcomer trying
		// the demo at night sees theirs at once.
		off := false
		if _, err := m.DB.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{QuietHours: &off}); err != nil {
			return err
		}
	}
	registry.Register(stockbell.PlatformDemo, &demo.Processor{Catalog: m.DB, Logger: logger})
	first := &web.FirstRun{Admin: admin, Catalog: m.DB, Shop: shop, Featured: demo.FeaturedVariant, SnippetURL: "/snippet.js"}
	first.Register(m.Web)
	token, _, err := m.DB.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shop.ID})
	if err != nil {
		return err
	}
	logger.Info("demo shop ready: open the start page, or sign in to its admin with the one-time link",
		"seeded", created, "start_page", m.Config.PublicURL+"/", "sign_in_url", web.SignInURL(m.Config.PublicURL, token))
	return nil
}

package shopify_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// These tests play Shopify's clock on the fake (e.clock) and give
// Stockbell a clock of its own (e.skew), a minute apart: within the 90 s
// an install's signed link may stand from Stockbell's now.

// installFlow is the Shopify install as the web layer runs it, on
// Stockbell's clock.
func (e *env) installFlow() *oauth.Shopify {
	return oauth.NewShopify(e.in.Config, e.db, e.in.Sealer, e.db.Clock, slog.New(slog.DiscardHandler))
}

// installByOAuth plays the merchant approving the install: the fake signs
// the callback at its clock's now, and Stockbell verifies it and installs.
func (e *env) installByOAuth() *stockbell.Shop {
	e.t.Helper()
	flow := e.installFlow()
	authorize, err := flow.AuthorizeURL(shopDomain, "state")
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.fake.Client().Get(authorize)
	if err != nil || res.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: %v %v", res, err)
	}
	back, _ := url.Parse(res.Header.Get("Location"))
	if _, _, err := flow.VerifyCallback(back.Query()); err != nil {
		e.t.Fatalf("callback: %v", err)
	}
	shop, err := flow.Install(context.Background(), back.Query())
	if err != nil {
		e.t.Fatal(err)
	}
	return shop
}

// installBySessionToken plays the embedded app's first load: a session
// token the fake issued at its clock's now is exchanged and the shop
// installed.
func (e *env) installBySessionToken() *stockbell.Shop {
	e.t.Helper()
	shop, installed, err := e.installFlow().InstallFromSessionToken(context.Background(), e.fake.SessionToken(shopDomain, e.fake.Secret))
	if err != nil || !installed {
		e.t.Fatalf("session token install: installed %v, %v", installed, err)
	}
	return shop
}

// uninstalledAt delivers app/uninstalled triggered at Shopify's time at
// and processes it.
func (e *env) uninstalledAt(at time.Time) {
	e.t.Helper()
	e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(e.t, "app_uninstalled.json"), TriggeredAt: at})
	e.runWebhookJobs()
}

func (e *env) active(shopID int64) bool {
	e.t.Helper()
	shop, err := e.db.FindShopByID(context.Background(), shopID)
	if err != nil {
		e.t.Fatal(err)
	}
	return shop.Active()
}

// TestUninstallSoonAfterInstallWithShopifyBehind: Shopify's clock stands a
// minute behind Stockbell's. An uninstall 30 s after the install, by
// Shopify's clock, is earlier than the install by Stockbell's, yet it is
// the uninstall of that install and stops the shop, whichever way the shop
// was installed.
func TestUninstallSoonAfterInstallWithShopifyBehind(t *testing.T) {
	installs := map[string]func(*env) *stockbell.Shop{
		"oauth callback": (*env).installByOAuth,
		"session token":  (*env).installBySessionToken,
	}
	for name, install := range installs {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.skew(time.Minute)
				shop := install(e)
				e.clock.Advance(30 * time.Second)
				e.fake.UninstallApp(shopDomain)
				e.uninstalledAt(e.clock.Now())
				if e.active(shop.ID) {
					t.Fatal("an uninstall made 30 s after the install was ignored: the shop is still installed")
				}
			})
		})
	}
}

// TestRetriedUninstallAfterReinstallWithShopifyAhead: Shopify's clock
// stands a minute ahead of Stockbell's. The merchant uninstalls (its
// app/uninstalled is delayed) and reinstalls 30 s later; the retried
// app/uninstalled, triggered before the reinstall by Shopify's clock but
// after it by Stockbell's, belongs to the earlier install and is ignored.
// An uninstall of the new install still stops the shop.
func TestRetriedUninstallAfterReinstallWithShopifyAhead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.skew(-time.Minute)
		e.installByOAuth()
		e.clock.Advance(time.Minute)
		e.fake.UninstallApp(shopDomain)
		uninstalled := e.clock.Now()
		e.clock.Advance(30 * time.Second)
		shop := e.installByOAuth()
		e.clock.Advance(5 * time.Second)
		e.uninstalledAt(uninstalled)
		if !e.active(shop.ID) {
			t.Fatal("a retried uninstall of the earlier install uninstalled the reinstalled shop")
		}
		e.fake.UninstallApp(shopDomain)
		e.uninstalledAt(e.clock.Now())
		if e.active(shop.ID) {
			t.Fatal("an uninstall of the new install was ignored")
		}
	})
}

// TestUninstallWithoutTriggeredAt: an app/uninstalled without
// X-Shopify-Triggered-At has only Stockbell's receive time, which is not
// compared with Shopify's time of the install (a minute later by Shopify's
// clock): received after the install, it stops the shop.
func TestUninstallWithoutTriggeredAt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.skew(-time.Minute)
		shop := e.installByOAuth()
		e.clock.Advance(30 * time.Second)
		e.fake.UninstallApp(shopDomain)
		e.mustSendWithoutTriggeredAt(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.runWebhookJobs()
		if e.active(shop.ID) {
			t.Fatal("an uninstall without a triggered-at, received after the install, was ignored")
		}
	})
}

// TestReplayedUninstallWhileInstalled: app/uninstalled is signed over its
// body only, so a body captured from an earlier uninstall can be sent
// again with a new event id and a new X-Shopify-Triggered-At. While
// Shopify still accepts the shop's token the app is installed, and the
// shop stays installed.
func TestReplayedUninstallWhileInstalled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.clock.Advance(time.Hour)
		e.uninstalledAt(e.clock.Now())
		if !e.active(shop.ID) {
			t.Fatal("an app/uninstalled while Shopify still accepts the shop's token uninstalled the shop")
		}
		var calls int
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { calls = s.GraphQLCalls })
		if calls == 0 {
			t.Fatal("the uninstall was ignored without asking Shopify")
		}
	})
}

// TestUninstallConfirmedOnceShopifyAnswers: while Shopify cannot be asked
// whether it still accepts the token, the receipt fails and the shop stays
// installed; the retry, once Shopify answers, uninstalls it.
func TestUninstallConfirmedOnceShopifyAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.clock.Advance(time.Minute)
		e.fake.UninstallApp(shopDomain)
		e.fake.AdminStatus = http.StatusServiceUnavailable
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json"), TriggeredAt: e.clock.Now()})
		var id int64
		if err := db.DB.Get(&id, `SELECT id FROM webhook_receipts WHERE processed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if err := e.registry.ProcessReceipt(context.Background(), stockbell.ProcessReceiptJob{ReceiptID: id}); err == nil {
			t.Fatal("the uninstall was processed while Shopify answered 503")
		}
		if !e.active(shop.ID) {
			t.Fatal("the shop was uninstalled without Shopify's confirmation")
		}
		e.fake.AdminStatus = 0
		e.runWebhookJobs()
		if e.active(shop.ID) {
			t.Fatal("the retried uninstall was ignored once Shopify refused the token")
		}
	})
}

// TestUninstallKeepsAShopInstalledAgain: the store uninstalls a shop for a
// refused token only while the shop still holds it; a shop installed again
// meanwhile holds a new token and stays installed.
func TestUninstallKeepsAShopInstalledAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		refused := e.install().SealedToken
		shop := e.install()
		if err := db.UninstallShopHolding(ctx, shop.ID, refused); stockbell.ErrorCode(err) != stockbell.ECONFLICT {
			t.Fatalf("uninstall holding the earlier token: %v, want ECONFLICT", err)
		}
		if !e.active(shop.ID) {
			t.Fatal("a shop installed again was uninstalled for its earlier token")
		}
		if err := db.UninstallShopHolding(ctx, shop.ID, shop.SealedToken); err != nil {
			t.Fatal(err)
		}
		if e.active(shop.ID) {
			t.Fatal("the shop holding the refused token is still installed")
		}
	})
}

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
		uninstalled := e.clock.Now()
		e.clock.Advance(30 * time.Second)
		shop := e.installByOAuth()
		e.clock.Advance(5 * time.Second)
		e.uninstalledAt(uninstalled)
		if !e.active(shop.ID) {
			t.Fatal("a retried uninstall of the earlier install uninstalled the reinstalled shop")
		}
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
		e.mustSendWithoutTriggeredAt(shopifytest.Webhook{Topic: shopify.TopicAppUninstalled, Body: readTestdata(t, "app_uninstalled.json")})
		e.runWebhookJobs()
		if e.active(shop.ID) {
			t.Fatal("an uninstall without a triggered-at, received after the install, was ignored")
		}
	})
}

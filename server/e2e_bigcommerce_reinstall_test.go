package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
)

// TestBigCommerceReinstallKeepsSubscribers runs an uninstall and a second
// install on the real server, on each database: the store is the same shop
// again, its shoppers still wait (none is told anything while it is
// uninstalled), a webhook carrying the secret of the first install is
// refused, and a restock after the reinstall, told with the new hooks'
// secret, notifies the waiting shopper.
func TestBigCommerceReinstallKeepsSubscribers(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			m, fake := bigCommerceServerOn(t, dbURL)
			ctx := context.Background()
			// install installs the app and waits for its hooks to carry a
			// secret other than before's (the first install: none).
			install := func(before string) *stockbell.Shop {
				t.Helper()
				resp, err := noRedirectClient().Get(m.URL() + "/auth/bigcommerce/callback?" + fake.Authorize(e2eStore, e2eOwner, "store_v2_products_read_only").Encode())
				if err != nil || resp.StatusCode != http.StatusFound {
					t.Fatalf("install: %v %v", resp, err)
				}
				resp.Body.Close()
				shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+e2eStore)
				if err != nil {
					t.Fatal(err)
				}
				eventually(t, m, "the hooks and the catalog", func() bool {
					hooks, secret := 0, ""
					fake.Do(e2eStore, func(s *bigcommercetest.Store) {
						hooks = len(s.Hooks)
						for _, h := range s.Hooks {
							secret = h.Headers[bigcommerce.SecretHeader]
						}
					})
					_, err := m.DB.FindVariant(ctx, shop.ID, "509")
					_, secretErr := m.DB.FindShopWebhookSecret(ctx, shop.ID)
					return hooks == len(bigcommerce.SubscribedScopes) && secret != before && err == nil && secretErr == nil
				})
				return shop
			}
			first := install("")
			if status := subscribe(t, m, e2eStorefront, "509", "ada@example.com"); status != http.StatusCreated {
				t.Fatalf("subscription answered %d", status)
			}
			oldHook := event(t, fake, bigcommerce.ScopeProductUpdated, bigcommercetest.ProductEvent(e2eShirt))
			resp, err := http.Get(m.URL() + "/auth/bigcommerce/uninstall?" + url.Values{"signed_payload_jwt": {fake.Uninstall(e2eStore, e2eOwner)}}.Encode())
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("uninstall: %v %v", resp, err)
			}
			resp.Body.Close()

			again := install(oldHook.Headers[bigcommerce.SecretHeader])
			if again.ID != first.ID || !again.Active() {
				t.Fatalf("the reinstall made shop %d (active %t), want shop %d again", again.ID, again.Active(), first.ID)
			}
			if status, _ := postEvent(t, m, oldHook); status != http.StatusUnauthorized {
				t.Errorf("a webhook with the first install's secret answered %d after the reinstall, want 401", status)
			}
			subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &first.ID})
			if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionQueued {
				t.Fatalf("the shoppers after the reinstall: %+v, %v", subs, err)
			}
			fake.SetVariantLevel(e2eStore, e2eSmall, e2eShopFloor, 3)
			restock := event(t, fake, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(e2eSKU, e2eShirt, e2eSmall, "absolute", 3))
			if status, _ := postEvent(t, m, restock); status != http.StatusOK {
				t.Fatalf("the restock after the reinstall answered %d", status)
			}
			eventually(t, m, "the waiting shopper notified", func() bool {
				subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &first.ID})
				return err == nil && len(subs) == 1 && subs[0].Status == stockbell.SubscriptionNotified
			})
		})
	}
}

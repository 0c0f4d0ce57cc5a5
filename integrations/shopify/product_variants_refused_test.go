package shopify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// queueLargeProductJob has the shop's large product's create or update
// webhook processed, which queues its product variants job, and returns
// that job.
func (e *env) queueLargeProductJob(shopID int64, topic string) stockbell.ShopifyProductVariantsJob {
	e.t.Helper()
	hook := e.fake.ProductCreate(shopDomain, largeProductID)
	if topic == shopify.TopicProductsUpdate {
		hook = e.fake.ProductUpdate(shopDomain, largeProductID)
	}
	if n := e.processAskingNothing(*hook); n != 1 {
		e.t.Fatalf("%d product variants jobs queued by the %s, want 1", n, topic)
	}
	return stockbell.ShopifyProductVariantsJob{ShopID: shopID, ProductID: itoa(largeProductID), Topic: topic}
}

// productVariantsRefusals are refusals of the product variants job per
// topic: a create reads levels too (read_inventory), an update lists
// variant ids only (read_products).
var productVariantsRefusals = map[string][]struct {
	name, names string
	refuse      func(s *shopifytest.Shop)
}{
	shopify.TopicProductsCreate: refusals,
	shopify.TopicProductsUpdate: {
		refusals[0],
		{"missing scope", "read_products", func(s *shopifytest.Shop) { s.Scope = "read_inventory" }},
	},
}

// TestProductVariantsRefusalsAreLogged: the read of a large product's
// variants that Shopify refuses (a revoked token, a missing scope) ends
// without an error, as the catalog sync and the stock check do (retrying
// with the same token cannot help), keeps the shop installed, and leaves
// a failure naming the cause in the sync log, on the admin's banner. The
// job that reads the product again ends the failure.
func TestProductVariantsRefusalsAreLogged(t *testing.T) {
	for _, topic := range []string{shopify.TopicProductsCreate, shopify.TopicProductsUpdate} {
		for _, c := range productVariantsRefusals[topic] {
			t.Run(strings.ReplaceAll(topic+" "+c.name, " ", "_"), func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *store.DB) {
					e := newEnv(t, db)
					shop := e.install()
					if topic == shopify.TopicProductsCreate {
						e.largeProduct(150)
					} else {
						e.syncLargeProduct(shop, 300)
						e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
							p := s.Products[len(s.Products)-1]
							p.Variants, p.UpdatedAt = p.Variants[:299], e.clock.Now()
						})
					}
					job := e.queueLargeProductJob(shop.ID, topic)
					var before shopifytest.Shop
					e.fake.Do(shopDomain, func(s *shopifytest.Shop) { before.Token, before.Scope = s.Token, s.Scope })
					e.fake.Do(shopDomain, c.refuse)
					for range 2 {
						if err := e.in.ReadProductVariants(context.Background(), job); err != nil {
							t.Fatalf("a %s failed the job (retried until the queue gives up): %v", c.name, err)
						}
					}
					if !e.active(shop.ID) {
						t.Fatalf("a %s uninstalled the shop", c.name)
					}
					log := e.syncLog(shop.ID, shopify.ProductVariantsSource)
					if fmt.Sprint(log) != "[failed 2]" || !strings.Contains(log[0].Reason, c.names) {
						t.Fatalf("after two refused jobs the sync log = %+v, want one failure met twice naming %s", log, c.names)
					}
					e.wantOnBanner(shop.ID, shopify.ProductVariantsSource, log[0].Reason)
					e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = before.Token, before.Scope })
					must(t, e.in.ReadProductVariants(context.Background(), job))
					e.wantRecovered(shop.ID, shopify.ProductVariantsSource, "the job read the product again")
				})
			})
		}
	}
}

// TestProductVariantsRefusedRefreshIsLogged: an expiring token that
// Shopify refuses to refresh (its refresh token revoked or expired) stops
// the read of a large product's variants as a refused token does: in the
// sync log, naming the refused refresh, not retried, the shop installed.
func TestProductVariantsRefusedRefreshIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.largeProduct(150)
		job := e.queueLargeProductJob(shop.ID, shopify.TopicProductsCreate)
		e.clock.Advance(2 * time.Hour)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.RefreshToken, s.PreviousRefreshToken = "revoked", "" })
		if err := e.in.ReadProductVariants(context.Background(), job); err != nil {
			t.Fatalf("a refused refresh failed the job instead of stopping it: %v", err)
		}
		e.wantRefusedRefreshLogged(shop.ID, shopify.ProductVariantsSource)
	})
}

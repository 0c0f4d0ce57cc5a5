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

// registerWebhooks runs the shop's webhook registration job.
func (e *env) registerWebhooks(shopID int64) error {
	return e.in.RegisterWebhooks(context.Background(), stockbell.ShopifyRegisterWebhooksJob{ShopID: shopID})
}

// TestRegisterWebhooksRefusalsAreLogged: the webhook registration that
// Shopify refuses (a revoked token) ends without an error, as the catalog
// sync does (retrying with the same token cannot help), keeps the shop
// installed, and leaves a failure naming the cause in the sync log, on
// the admin's banner. The registration that reads the shop again ends the
// failure.
func TestRegisterWebhooksRefusalsAreLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		var before shopifytest.Shop
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { before.Token = s.Token; s.Token = "rotated" })
		for range 2 {
			if err := e.registerWebhooks(shop.ID); err != nil {
				t.Fatalf("a revoked token failed the job (retried until the queue gives up): %v", err)
			}
		}
		if !e.active(shop.ID) {
			t.Fatal("a revoked token uninstalled the shop")
		}
		log := e.syncLog(shop.ID, shopify.WebhooksSource)
		if fmt.Sprint(log) != "[failed 2]" || !strings.Contains(log[0].Reason, "401") {
			t.Fatalf("after two refused registrations the sync log = %+v, want one failure met twice naming 401", log)
		}
		e.wantOnBanner(shop.ID, shopify.WebhooksSource, log[0].Reason)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token = before.Token })
		must(t, e.registerWebhooks(shop.ID))
		if len(e.topics()) == 0 {
			t.Fatal("the registration after the recovery registered nothing")
		}
		e.wantRecovered(shop.ID, shopify.WebhooksSource, "the registration read the shop again")
		must(t, e.registerWebhooks(shop.ID))
		if log := e.syncLog(shop.ID, shopify.WebhooksSource); len(log) != 2 {
			t.Fatalf("a registration with no failure to end logged: %+v", log)
		}
	})
}

// TestRegisterWebhooksMissingScopeIsLogged: a shop whose grant lacks the
// scope a topic needs (Shopify refuses its webhookSubscriptionCreate)
// still gets the topics its grant allows, app/uninstalled among them; the
// refusal, naming the topic and the scope to grant, is the registration's
// failure in the sync log and on the admin's banner, and ends the job
// without an error (retrying cannot help until the merchant grants the
// scope). The registration after the grant records the recovery.
func TestRegisterWebhooksMissingScopeIsLogged(t *testing.T) {
	for _, c := range []struct{ granted, missing, topic string }{
		{"read_products", "read_inventory", shopify.TopicInventoryLevelsUpdate},
		{"read_inventory", "read_products", shopify.TopicProductsUpdate},
	} {
		t.Run(c.missing, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.grant(shop, c.granted)
				for range 2 {
					if err := e.registerWebhooks(shop.ID); err != nil {
						t.Fatalf("a missing scope failed the job (retried until the queue gives up): %v", err)
					}
				}
				if topics := e.topics(); !topics["APP_UNINSTALLED"] || topics[strings.ToUpper(strings.ReplaceAll(c.topic, "/", "_"))] {
					t.Fatalf("without %s the shop is subscribed to %v, want app/uninstalled and not %s", c.missing, topics, c.topic)
				}
				log := e.syncLog(shop.ID, shopify.WebhooksSource)
				if fmt.Sprint(log) != "[failed 2]" || !strings.Contains(log[0].Reason, c.missing) || !strings.Contains(log[0].Reason, c.topic) {
					t.Fatalf("after two registrations without %s the sync log = %+v, want one failure met twice naming it and %s", c.missing, log, c.topic)
				}
				e.wantOnBanner(shop.ID, shopify.WebhooksSource, log[0].Reason)
				e.grant(shop, "read_products,read_inventory")
				must(t, e.registerWebhooks(shop.ID))
				if topics := e.topics(); len(topics) != len(shopify.SubscribedTopics) {
					t.Fatalf("after the grant the shop is subscribed to %v, want all of %v", topics, shopify.SubscribedTopics)
				}
				e.wantRecovered(shop.ID, shopify.WebhooksSource, "the registration after the grant")
			})
		})
	}
}

// TestRegisterWebhooksRefusedRefreshIsLogged: an expiring token that
// Shopify refuses to refresh stops the webhook registration as a refused
// token does: in the sync log, naming the refused refresh, not retried.
func TestRegisterWebhooksRefusedRefreshIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.clock.Advance(2 * time.Hour)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.RefreshToken, s.PreviousRefreshToken = "revoked", "" })
		if err := e.registerWebhooks(shop.ID); err != nil {
			t.Fatalf("a refused refresh failed the job instead of stopping it: %v", err)
		}
		e.wantRefusedRefreshLogged(shop.ID, shopify.WebhooksSource)
	})
}

// webhookReads are the webhooks whose processing reads an inventory item
// through the Admin API: an inventory_items/update (its tracking), a
// level of an item not in the catalog, and a disconnect without a time
// that the store cannot order (a re-read).
var webhookReads = []struct {
	name   string
	synced bool // the T-shirt is in the catalog before the webhook
	send   func(e *env)
}{
	{"item update", true, func(e *env) {
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryItemsUpdate, Body: readTestdata(e.t, "inventory_items_update.json")})
	}},
	{"unknown item", false, func(e *env) {
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 3, e.clock.Now())})
	}},
	{"re-read", true, func(e *env) {
		e.mustSendWithoutTriggeredAt(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsDisconnect,
			Body: []byte(fmt.Sprintf(`{"inventory_item_id":%d,"location_id":%d}`, smallItem, warehouse))})
	}},
}

// processPending processes the receipts not yet processed as the
// drainer does, one at a time, and returns the first error.
func (e *env) processPending() error {
	e.t.Helper()
	var ids []int64
	if err := e.db.DB.Select(&ids, `SELECT id FROM webhook_receipts WHERE processed_at IS NULL ORDER BY id`); err != nil {
		e.t.Fatal(err)
	}
	for _, id := range ids {
		if err := e.registry.ProcessReceipt(context.Background(), stockbell.ProcessReceiptJob{ReceiptID: id}); err != nil {
			return err
		}
	}
	return nil
}

// TestWebhookReadRefusalsAreLogged: a read that a webhook's processing
// makes and Shopify refuses (a revoked token, a missing scope) ends the
// receipt's processing without an error, so the receipt is not retried
// for ever (the read is refused until the merchant installs the app again
// or grants the scope, each of which queues a catalog sync that reads the
// item), keeps the shop installed, and leaves a failure naming the cause
// in the sync log, on the admin's banner. The next read a webhook makes
// that Shopify answers ends the failure.
func TestWebhookReadRefusalsAreLogged(t *testing.T) {
	for _, read := range webhookReads {
		for _, c := range refusals {
			t.Run(strings.ReplaceAll(read.name+" "+c.name, " ", "_"), func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *store.DB) {
					e := newEnv(t, db)
					shop := e.install()
					e.stockTShirt()
					if read.synced {
						e.sync(shop.ID)
					}
					var before shopifytest.Shop
					e.fake.Do(shopDomain, func(s *shopifytest.Shop) { before.Token, before.Scope = s.Token, s.Scope })
					e.fake.Do(shopDomain, c.refuse)
					read.send(e)
					if err := e.processPending(); err != nil {
						t.Fatalf("a %s failed the receipt (retried for ever): %v", c.name, err)
					}
					if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); n != 0 {
						t.Fatalf("%d receipts left pending after a %s", n, c.name)
					}
					if !e.active(shop.ID) {
						t.Fatalf("a %s uninstalled the shop", c.name)
					}
					log := e.syncLog(shop.ID, shopify.RereadSource)
					if fmt.Sprint(log) != "[failed 1]" || !strings.Contains(log[0].Reason, c.names) {
						t.Fatalf("after a refused read the sync log = %+v, want one failure naming %s", log, c.names)
					}
					e.wantOnBanner(shop.ID, shopify.RereadSource, log[0].Reason)
					e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = before.Token, before.Scope })
					read.send(e)
					must(t, e.processPending())
					e.wantRecovered(shop.ID, shopify.RereadSource, "a read Shopify answered")
				})
			})
		}
	}
}

// syncLogCalls counts the sync log reports an integration makes of its
// own, handing them to the real sync log.
type syncLogCalls struct {
	stockbell.SyncLogService
	reports int
}

func (s *syncLogCalls) RecordSync(ctx context.Context, r stockbell.SyncReport) error {
	s.reports++
	return s.SyncLogService.RecordSync(ctx, r)
}

// TestItemUpdateRecoveryIsWrittenWithItsUpsert: the item an
// inventory_items/update reads is upserted with its read's success
// (ProductUpsert.Recovered), which ends a failure of the stock re-reads in
// the upsert's own transaction: a receipt read without a refusal makes no
// sync log report of its own, and so no read of the sync log. (That the
// recovery is still recorded: TestWebhookReadRefusalsAreLogged.)
func TestItemUpdateRecoveryIsWrittenWithItsUpsert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.sync(shop.ID)
		calls := &syncLogCalls{SyncLogService: db}
		e.in.SyncLog = calls
		webhookReads[0].send(e)
		must(t, e.processPending())
		if calls.reports != 0 {
			t.Fatalf("a read item update made %d sync log reports of its own, want its success written with its upsert", calls.reports)
		}
		if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); n != 0 {
			t.Fatalf("%d receipts left pending", n)
		}
	})
}

// TestWebhookReadRefusedRefreshIsLogged: an expiring token that Shopify
// refuses to refresh stops a webhook's read as a refused token does: in
// the sync log, naming the refused refresh, the receipt done.
func TestWebhookReadRefusedRefreshIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.stockTShirt()
		e.clock.Advance(2 * time.Hour)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.RefreshToken, s.PreviousRefreshToken = "revoked", "" })
		webhookReads[0].send(e)
		if err := e.processPending(); err != nil {
			t.Fatalf("a refused refresh failed the receipt instead of stopping its read: %v", err)
		}
		e.wantRefusedRefreshLogged(shop.ID, shopify.RereadSource)
	})
}

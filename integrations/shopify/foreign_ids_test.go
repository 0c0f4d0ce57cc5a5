package shopify_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// The T-shirt shop's (A's) cap: a second product, with its own item, for
// a second foreign id of each kind.
const (
	capProductID = int64(900)
	capItem      = int64(902)
)

// The victim's vase, a product it creates during a test.
const (
	vaseProduct = int64(744000000000000001)
	vaseVariant = int64(744000000000000002)
	vaseItem    = int64(744000000000000003)
)

// foreignKind is a kind of body, signed for the T-shirt shop, that names
// an id the victim does not hold and Shopify has to be asked about: body
// builds one about the id, under the T-shirt shop's domain.
type foreignKind struct {
	name          string
	first, second int64
	body          func(e *env, id int64) shopifytest.Webhook
}

var foreignKinds = []foreignKind{
	{"products_create", productID, capProductID, func(e *env, id int64) shopifytest.Webhook {
		return *e.fake.ProductCreate(shopDomain, id)
	}},
	{"products_update", productID, capProductID, func(e *env, id int64) shopifytest.Webhook {
		return *e.fake.ProductUpdate(shopDomain, id)
	}},
	{"inventory_levels_update", smallItem, capItem, func(e *env, id int64) shopifytest.Webhook {
		return shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(id, warehouse, 7, e.clock.Now())}
	}},
	{"inventory_levels_update_untracked", smallItem, capItem, func(e *env, id int64) shopifytest.Webhook {
		body := bytes.Replace(levelBody(id, warehouse, 0, e.clock.Now()), []byte(`"available":0`), []byte(`"available":null`), 1)
		return shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: body}
	}},
	{"inventory_items_update", smallItem, capItem, func(e *env, id int64) shopifytest.Webhook {
		body := bytes.ReplaceAll(readTestdata(e.t, "inventory_items_update.json"), []byte(itoa(smallItem)), []byte(itoa(id)))
		return shopifytest.Webhook{Topic: shopify.TopicInventoryItemsUpdate, Body: body}
	}},
}

// twoShops is the T-shirt shop (A), synced, with a cap in Shopify it has
// not synced, and the victim (B), synced; the integration logs at debug
// into the returned buffer.
func (e *env) twoShops() (a, b int64, logged *bytes.Buffer) {
	logged = &bytes.Buffer{}
	e.in.Logger = slog.New(slog.NewTextHandler(logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a = e.syncedTShirt().ID
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = append(s.Products, e.capProduct()) })
	b = e.installVictim().ID
	e.clock.Advance(time.Minute)
	return a, b, logged
}

// sendUnderVictim sends the body n times under the victim's domain, each a
// delivery of its own (a fresh event id), and processes them: one at a
// time, or claimed together as the drainer does.
func (e *env) sendUnderVictim(hook shopifytest.Webhook, n int, together bool) {
	e.t.Helper()
	hook.Shop = victimDomain
	for range n {
		e.mustSend(hook)
	}
	if together {
		e.drainTogether()
	} else {
		e.runWebhookJobs()
	}
	if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); n != 0 {
		e.t.Fatalf("%d receipts left pending", n)
	}
}

// victimCalls counts the Admin API requests made with the victim's token.
func (e *env) victimCalls() int { return e.fake.Shop(victimDomain).GraphQLCalls }

// TestForeignIDAskedOnce: a body signed for one shop, sent again and again
// under another shop's domain, costs that shop one Admin API query: once
// Shopify has answered null for the id (not the shop's), the same id
// under the same shop is dropped without asking again, with a debug log.
// A different id costs one query more. Nothing of the shop changes. One
// receipt at a time, and claimed together (several processed at once).
func TestForeignIDAskedOnce(t *testing.T) {
	for _, kind := range foreignKinds {
		for _, together := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/together=%v", kind.name, together), func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *store.DB) {
					e := newEnv(t, db)
					_, b, logged := e.twoShops()
					before := e.shopRows(b)
					calls, callsA := e.victimCalls(), e.fake.Shop(shopDomain).GraphQLCalls
					e.sendUnderVictim(kind.body(e, kind.first), 50, together)
					if n := e.victimCalls() - calls; n != 1 {
						t.Fatalf("50 deliveries of one foreign id asked Shopify %d times with %s's token, want 1", n, victimDomain)
					}
					e.sendUnderVictim(kind.body(e, kind.second), 3, together)
					if n := e.victimCalls() - calls; n != 2 {
						t.Fatalf("a second foreign id: %d queries in all, want 2", n)
					}
					e.sendUnderVictim(kind.body(e, kind.first), 5, together)
					if n := e.victimCalls() - calls; n != 2 {
						t.Fatalf("the first id again: %d queries in all, want 2", n)
					}
					if diff := rowsDiff(before, e.shopRows(b)); diff != "" {
						t.Errorf("foreign bodies changed %s:\n%s", victimDomain, diff)
					}
					if n := e.fake.Shop(shopDomain).GraphQLCalls; n != callsA {
						t.Errorf("%s's token was used %d times", shopDomain, n-callsA)
					}
					field := "inventory_item"
					if strings.HasPrefix(kind.name, "products") {
						field = "topic=" + strings.Replace(kind.name, "_", "/", 1) + " shop=" + victimDomain + " product"
					}
					const line = "level=DEBUG msg=\"shopify webhook dropped without asking: "
					if !strings.Contains(logged.String(), line) || !strings.Contains(logged.String(), fmt.Sprintf("%s=%d\n", field, kind.first)) {
						t.Errorf("no debug log of a delivery dropped without asking:\n%s", logged.String())
					}
				})
			})
		}
	}
}

// addVase gives the victim's Shopify a vase, in stock at the lamp's
// location.
func (e *env) addVase() {
	e.fake.Do(victimDomain, func(s *shopifytest.Shop) {
		s.Products = append(s.Products, &shopifytest.Product{ID: vaseProduct, Title: "Vase", Handle: "vase", Status: "ACTIVE",
			Published: true, UpdatedAt: e.clock.Now(), Variants: []*shopifytest.Variant{{ID: vaseVariant, Title: "Default",
				Price: "30.00", Policy: "DENY", InventoryItemID: vaseItem, Tracked: true,
				Levels: []shopifytest.Level{{LocationID: lampLocation, Available: 4}}}}})
	})
}

// removeVase takes the vase out of the victim's Shopify again.
func (e *env) removeVase() {
	e.fake.Do(victimDomain, func(s *shopifytest.Shop) {
		s.Products = slices.DeleteFunc(s.Products, func(p *shopifytest.Product) bool { return p.ID == vaseProduct })
	})
}

// TestShopsOwnNewProductIsStoredAfterForeignOnes: after a flood of another
// shop's ids, a product the shop really creates is asked about once and
// stored, and its inventory then flows without asking.
func TestShopsOwnNewProductIsStoredAfterForeignOnes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, b, _ := e.twoShops()
		for _, kind := range foreignKinds {
			e.sendUnderVictim(kind.body(e, kind.first), 5, false)
		}
		e.addVase()
		calls := e.victimCalls()
		e.sendUnderVictim(*e.fake.ProductCreate(victimDomain, vaseProduct), 1, false)
		if n := e.victimCalls() - calls; n != 1 {
			t.Fatalf("the shop's new product: %d queries, want 1", n)
		}
		if v, _ := e.variant(b, vaseVariant); v.ProductTitle != "Vase" {
			t.Fatalf("stored %+v", v)
		}
		e.fake.Do(victimDomain, func(s *shopifytest.Shop) { s.Products[len(s.Products)-1].Variants[0].Levels[0].Available = 6 })
		e.sendUnderVictim(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(vaseItem, lampLocation, 6, e.clock.Now())}, 1, false)
		if _, levels := e.variant(b, vaseVariant); levels[itoa(lampLocation)] != 6 {
			t.Fatalf("the vase's level: %v", levels)
		}
	})
}

// TestIDAnsweredNullBeforeTheShopHoldsIt: Shopify's ids never move between
// shops, but Shopify does not say that its Admin API answers a new
// product as soon as a webhook about it is sent. A null answer is
// therefore trusted for shopify.ForeignIDLifetime only: a product the shop
// really has, answered null too early, is asked about again once that
// has passed, and stored. And a remembered null never stands in the way of
// an id the shop has come to hold: an inventory item answered null, whose
// product the shop then stores, is read again when Shopify says it changed.
func TestIDAnsweredNullBeforeTheShopHoldsIt(t *testing.T) {
	t.Run("product", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			_, b, _ := e.twoShops()
			e.addVase()
			create := *e.fake.ProductCreate(victimDomain, vaseProduct)
			e.removeVase()
			calls := e.victimCalls()
			e.sendUnderVictim(create, 1, false) // Shopify answers null: not yet
			e.addVase()
			e.sendUnderVictim(*e.fake.ProductUpdate(victimDomain, vaseProduct), 1, false)
			if n := e.victimCalls() - calls; n != 1 {
				t.Fatalf("within the lifetime: %d queries, want 1 (the answer is remembered)", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ? AND platform_id = ?`, b, itoa(vaseProduct)); n != 0 {
				t.Fatalf("%d vases stored", n)
			}
			e.clock.Advance(shopify.ForeignIDLifetime)
			e.sendUnderVictim(*e.fake.ProductUpdate(victimDomain, vaseProduct), 1, false)
			if n := e.victimCalls() - calls; n != 2 {
				t.Fatalf("after the lifetime: %d queries, want 2", n)
			}
			if v, _ := e.variant(b, vaseVariant); v.ProductTitle != "Vase" {
				t.Fatalf("stored %+v", v)
			}
		})
	})
	t.Run("inventory_item", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			_, b, _ := e.twoShops()
			item := shopifytest.Webhook{Topic: shopify.TopicInventoryItemsUpdate,
				Body: bytes.ReplaceAll(readTestdata(t, "inventory_items_update.json"), []byte(itoa(smallItem)), []byte(itoa(vaseItem)))}
			e.sendUnderVictim(item, 1, false) // Shopify answers null: not yet
			e.addVase()
			e.sendUnderVictim(*e.fake.ProductCreate(victimDomain, vaseProduct), 1, false)
			if _, levels := e.variant(b, vaseVariant); len(levels) != 0 {
				t.Fatalf("levels before the item's read: %v", levels)
			}
			calls := e.victimCalls()
			e.sendUnderVictim(item, 1, false)
			if n := e.victimCalls() - calls; n != 1 {
				t.Fatalf("an item the shop holds: %d queries, want 1 (read again whatever was remembered)", n)
			}
			if _, levels := e.variant(b, vaseVariant); levels[itoa(lampLocation)] != 4 {
				t.Fatalf("the vase's levels after its item's read: %v", levels)
			}
		})
	})
}

// TestOnlyANullAnswerIsRemembered: a question Shopify did not answer (a
// throttle outlasting the retries, Shopify away) or refused (a revoked
// token, a missing scope) is not remembered: the next delivery of the id
// asks again, and only Shopify's null answer then spares the ones after.
func TestOnlyANullAnswerIsRemembered(t *testing.T) {
	for _, c := range []struct {
		name             string
		fail, restore    func(e *env)
		productScope     string
		inventoryScope   string
		retriedByReceipt bool
	}{
		{name: "throttled", retriedByReceipt: true,
			fail: func(e *env) { e.fake.RestoreRate = 0; e.fake.Drain(victimDomain) },
			restore: func(e *env) {
				e.fake.RestoreRate = 50
				e.clock.Advance(time.Minute)
			}},
		{name: "Shopify_away", retriedByReceipt: true,
			fail: func(e *env) { e.fake.AdminStatus = 503 }, restore: func(e *env) { e.fake.AdminStatus = 0 }},
		{name: "revoked_token",
			fail:    func(e *env) { e.fake.Do(victimDomain, func(s *shopifytest.Shop) { s.Token = "rotated" }) },
			restore: func(e *env) { e.fake.Do(victimDomain, func(s *shopifytest.Shop) { s.Token = "shpat_victim_token" }) }},
		{name: "missing_scope",
			fail: func(e *env) {
				e.fake.Do(victimDomain, func(s *shopifytest.Shop) { s.Scope = "read_orders" })
			},
			restore: func(e *env) {
				e.fake.Do(victimDomain, func(s *shopifytest.Shop) { s.Scope = "read_products,read_inventory,read_orders" })
			}},
	} {
		for _, kind := range []foreignKind{foreignKinds[0], foreignKinds[2]} {
			t.Run(c.name+"/"+kind.name, func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *store.DB) {
					e := newEnv(t, db)
					e.twoShops()
					hook := kind.body(e, kind.first)
					hook.Shop = victimDomain
					c.fail(e)
					e.mustSend(hook)
					err := e.processPending()
					if c.retriedByReceipt && err == nil {
						t.Fatal("a question Shopify did not answer ended the receipt")
					}
					c.restore(e)
					calls := e.victimCalls()
					if c.retriedByReceipt {
						must(t, e.processPending())
					} else {
						e.sendUnderVictim(kind.body(e, kind.first), 1, false)
					}
					if n := e.victimCalls() - calls; n != 1 {
						t.Fatalf("after a %s the id cost %d queries, want 1 (asked again)", c.name, n)
					}
					e.sendUnderVictim(kind.body(e, kind.first), 5, false)
					if n := e.victimCalls() - calls; n != 1 {
						t.Fatalf("after Shopify's null answer: %d queries in all, want 1", n)
					}
				})
			})
		}
	}
}

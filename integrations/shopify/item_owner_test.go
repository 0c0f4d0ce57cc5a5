package shopify_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// attackerItems gives the T-shirt shop (A) n products more (attackerProducts)
// and returns their inventory items' ids: items whose inventory bodies A's
// merchant could send under the victim's domain.
func (e *env) attackerItems(n int) []int64 {
	ids := e.attackerProducts(n)
	for i := range ids {
		ids[i] += 2 // the InventoryItemID of the product's one variant
	}
	return ids
}

// levelUpdate is an inventory_levels/update of item at location, sent
// under domain.
func (e *env) levelUpdate(domain string, item, location int64, available int) shopifytest.Webhook {
	return shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Shop: domain, Body: levelBody(item, location, available, e.clock.Now())}
}

// itemUpdate is an inventory_items/update of item, sent under domain.
func (e *env) itemUpdate(domain string, item int64) shopifytest.Webhook {
	body := bytes.ReplaceAll(readTestdata(e.t, "inventory_items_update.json"), []byte(itoa(smallItem)), []byte(itoa(item)))
	return shopifytest.Webhook{Topic: shopify.TopicInventoryItemsUpdate, Shop: domain, Body: body}
}

// TestForeignItemFloodIsRationed: inventory bodies naming many distinct
// items of another shop, sent under the victim's domain, read items with
// the victim's token at most shopify.OwnerQuestionsBurst times at once and
// shopify.OwnerQuestionsPerSecond a second after; the rest stay pending,
// acknowledged and stored, and are read once their retries come due. The
// victim's own inventory update for an item new to it, sent after the
// flood, waits its turn too and is then stored with its level; nothing of
// the flood is stored. The flood spends the victim's budget only: the
// other shop's own new item is read and stored at once.
func TestForeignItemFloodIsRationed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.QueryCost = 1 // a read Shopify answers null for costs about one point
		a, b, _ := e.twoShops()
		foreign := e.attackerItems(shopify.OwnerQuestionsBurst + 2*shopify.OwnerQuestionsPerSecond)
		calls, callsA := e.victimCalls(), e.fake.Shop(shopDomain).GraphQLCalls
		for _, item := range foreign {
			e.mustSend(e.levelUpdate(victimDomain, item, lampLocation, 5))
		}
		e.addVase()
		e.mustSend(e.levelUpdate(victimDomain, vaseItem, lampLocation, 4))

		e.wantBudgetSpentAtOnce(calls, len(foreign)+1)
		e.mustSend(e.levelUpdate(shopDomain, capItem, warehouse, 3)) // new to A: A's own budget reads it
		e.drainDue()
		if _, levels := e.variant(a, capItem-1); levels[itoa(warehouse)] != 3 {
			t.Fatalf("%s's own new item, its budget untouched by the flood under %s: levels %v", shopDomain, victimDomain, levels)
		}
		e.wantBudgetRestoredAndDrained(calls)
		if v, levels := e.variant(b, vaseVariant); v.ProductTitle != "Vase" || levels[itoa(lampLocation)] != 4 {
			t.Fatalf("the shop's own new item: stored %+v with levels %v", v, levels)
		}
		e.wantFloodAskedOnceEach(b, calls, callsA, len(foreign)+1)
	})
}

// TestProductAndItemQuestionsShareTheBudget: the shop has one budget for
// both kinds of question, so bodies of both kinds together cost it no
// more than bodies of one: once foreign items have spent it, a foreign
// product waits too.
func TestProductAndItemQuestionsShareTheBudget(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.QueryCost = 1
		e.twoShops()
		calls := e.victimCalls()
		for _, item := range e.attackerItems(shopify.OwnerQuestionsBurst) {
			e.mustSend(e.levelUpdate(victimDomain, item, lampLocation, 5))
		}
		hook := *e.fake.ProductCreate(shopDomain, capProductID)
		hook.Shop = victimDomain
		e.mustSend(hook)
		if left := e.drainDue(); left != 1 {
			t.Fatalf("%d receipts pending, want the product's", left)
		}
		if n := e.victimCalls() - calls; n != shopify.OwnerQuestionsBurst {
			t.Fatalf("%d questions, want the budget's %d", n, shopify.OwnerQuestionsBurst)
		}
	})
}

// TestHeldItemNeedsNoBudget: inventory deliveries for an item the shop
// holds never wait for the budget. With the budget spent by foreign items,
// a level update of the shop's lamp is applied at once without asking
// Shopify anything, and an inventory_items/update of it, or a level of it
// Shopify no longer tracks, is read at once.
func TestHeldItemNeedsNoBudget(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.QueryCost = 1
		_, b, _ := e.twoShops()
		for _, item := range e.attackerItems(shopify.OwnerQuestionsBurst + 1) {
			e.mustSend(e.levelUpdate(victimDomain, item, lampLocation, 5))
		}
		if left := e.drainDue(); left != 1 {
			t.Fatalf("%d receipts pending, want one past the budget", left)
		}
		calls := e.victimCalls()
		level := e.levelUpdate(victimDomain, lampItem, lampLocation, 2)
		level.Body = levelBody(lampItem, lampLocation, 2, e.clock.Now().Add(-30*time.Second)) // after the sync's read
		e.mustSend(level)
		if left := e.drainDue(); left != 1 {
			t.Fatalf("%d receipts pending, want the foreign item's only", left)
		}
		if _, levels := e.variant(b, lampVariant); levels[itoa(lampLocation)] != 2 {
			t.Fatalf("the lamp's level update with the budget spent: levels %v", levels)
		}
		if n := e.victimCalls() - calls; n != 0 {
			t.Fatalf("the lamp's level update asked Shopify %d times", n)
		}
		e.fake.Do(victimDomain, func(s *shopifytest.Shop) {
			s.Products[0].Variants[0].Levels[0] = shopifytest.Level{LocationID: lampLocation, Available: 6, UpdatedAt: e.clock.Now()}
		})
		e.mustSend(e.itemUpdate(victimDomain, lampItem))
		untracked := e.levelUpdate(victimDomain, lampItem, lampLocation, 0)
		untracked.Body = bytes.Replace(untracked.Body, []byte(`"available":0`), []byte(`"available":null`), 1)
		e.mustSend(untracked)
		if left := e.drainDue(); left != 1 {
			t.Fatalf("%d receipts pending, want the foreign item's only", left)
		}
		if n := e.victimCalls() - calls; n != 2 {
			t.Fatalf("%d reads of the lamp with the budget spent, want 2", n)
		}
		if _, levels := e.variant(b, lampVariant); levels[itoa(lampLocation)] != 6 {
			t.Fatalf("the lamp's levels after its reads: %v", levels)
		}
	})
}

// TestItemFieldMissingIsNoAnswer: Shopify's answer to the read of an
// inventory item new to the shop that lacks the inventoryItem field (not
// null: absent) says nothing about the item. The receipt stays pending, to
// be tried again, nothing is stored or remembered, and the sync log names
// the failure; the next answer that holds the field stores the item's
// variant and ends the failure.
func TestItemFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.wantFieldMissingIsNoAnswer("inventoryItem", func() shopifytest.Webhook { return e.levelUpdate(shopDomain, smallItem, warehouse, 0) })
	})
}

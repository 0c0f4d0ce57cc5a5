package shopify_test

import (
	"testing"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// levelUpdate is an inventory_levels/update of item at location, sent
// under domain.
func (e *env) levelUpdate(domain string, item, location int64, available int) shopifytest.Webhook {
	return shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate, Shop: domain, Body: levelBody(item, location, available, e.clock.Now())}
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

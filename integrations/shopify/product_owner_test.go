package shopify_test

import (
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestProductFieldMissingIsNoAnswer: Shopify's answer to whether the shop
// has a product new to it that lacks the product field (not null: absent)
// says nothing about the product. The receipt stays pending, to be tried
// again, nothing is stored or remembered, and the sync log names the
// failure; the next answer that holds the field stores the product and
// ends the failure.
func TestProductFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.OmitFields = []string{"product"}
		e.mustSend(*e.fake.ProductCreate(shopDomain, productID))
		if err := e.processPending(); err == nil {
			t.Fatal("an answer without the product field was taken as an answer: the receipt was marked processed")
		}
		if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ?`, shop.ID); n != 0 {
			t.Fatalf("%d products stored without Shopify's answer", n)
		}
		log := e.syncLog(shop.ID, shopify.RereadSource)
		if len(log) != 1 || log[0].String() != "failed 1" || !strings.Contains(log[0].Reason, "without the product field") {
			t.Fatalf("after an answer without the product field the sync log = %+v, want one failure naming it", log)
		}
		e.fake.OmitFields = nil
		must(t, e.processPending())
		e.variant(shop.ID, smallVariant)
		e.wantRecovered(shop.ID, shopify.RereadSource, "an answer with the product field")
	})
}

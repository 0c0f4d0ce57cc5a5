package shopify_test

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// An item's or a product's pages past the first are read with a query of
// their own (inventoryItem, product). An answer to one without that field
// says nothing: the read fails, is tried again and is in the sync log,
// and nothing partial is stored. A null there is the object deleted
// meanwhile: what was read of it is left out, the rest stored.

// extraLocations is how many locations stockSmallAtMoreLocations adds:
// with the warehouse and the point of sale, past the first page of levels
// the catalog sync and the stock check read (10).
const extraLocations = 12

// installSmallAtMoreLocations installs the shop with the T-shirt, its
// Small stocked with one unit at each of extraLocations more locations.
func (e *env) installSmallAtMoreLocations() *stockbell.Shop {
	shop := e.install()
	e.stockTShirt()
	for i := range int64(extraLocations) {
		e.fake.SetLevel(shopDomain, smallItem, 91000+i, 1)
	}
	return shop
}

// wantFieldMissingFailure runs read, answered without field, and wants it
// to fail, to be tried again, with one failure of source in the shop's
// sync log naming the field.
func (e *env) wantFieldMissingFailure(shopID int64, source, field string, read func() error) {
	e.t.Helper()
	if err := read(); err == nil {
		e.t.Fatalf("a read answered without the %s field succeeded", field)
	}
	log := e.syncLog(shopID, source)
	if len(log) != 1 || log[0].String() != "failed 1" || !strings.Contains(log[0].Reason, "without the "+field+" field") {
		e.t.Fatalf("after an answer without the %s field the %s sync log = %+v, want one failure naming it", field, source, log)
	}
}

// retryWithTheField has the fake answer every field again, runs read
// and wants the failure of source it met ended.
func (e *env) retryWithTheField(shopID int64, source string, read func() error) {
	e.t.Helper()
	e.fake.Answered = nil
	e.fake.Omit()
	must(e.t, read())
	e.wantRecovered(shopID, source, "a read answered with every field")
}

// wantVariants wants n variants stored for the shop.
func (e *env) wantVariants(shopID int64, n int, what string) {
	e.t.Helper()
	if got := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ?`, shopID); got != n {
		e.t.Fatalf("%s: %d variants stored, want %d", what, got, n)
	}
}

// wantSmallStock wants the Small T-shirt stored with its levels at every
// location: extraLocations units.
func (e *env) wantSmallStock(shopID int64, what string) {
	e.t.Helper()
	v, levels := e.variant(shopID, smallVariant)
	if v.Stock != extraLocations || len(levels) != extraLocations+2 {
		e.t.Fatalf("%s: the Small T-shirt's stock is %d at %d locations, want %d at %d", what, v.Stock, len(levels), extraLocations, extraLocations+2)
	}
}

// TestCatalogSyncLevelsFieldMissingIsNoAnswer: the catalog sync reads the
// levels of an item stocked at more than 10 locations past its first page;
// an answer there without the inventoryItem field fails the sync (the job
// retries) with a failure in the shop's sync log, and the page is not
// stored with the item's first levels alone. The next sync stores every
// level and ends the failure. Another shop's rows are untouched.
func TestCatalogSyncLevelsFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		victim := e.installVictim()
		victimRows := e.shopRows(victim.ID)
		shop := e.installSmallAtMoreLocations()
		sync := func() error {
			return e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		}
		e.fake.OmitFields = []string{"inventoryItem"}
		e.wantFieldMissingFailure(shop.ID, shopify.CatalogSource, "inventoryItem", sync)
		e.wantVariants(shop.ID, 0, "after a page whose levels were not all read")
		e.retryWithTheField(shop.ID, shopify.CatalogSource, sync)
		e.wantSmallStock(shop.ID, "after the next sync")
		if e.shopRows(victim.ID) != victimRows {
			t.Fatal("the other shop's rows changed")
		}
	})
}

// TestItemDeletedWhileItsLevelsAreReadStoresNothingPartial: the Small
// T-shirt is deleted in Shopify between the sync's page of variants and
// the read of its item's later levels, which Shopify answers null. The
// sync succeeds and stores the rest of the page (Medium's new price); the
// Small T-shirt keeps what was stored, not the first 10 of its levels.
func TestItemDeletedWhileItsLevelsAreReadStoresNothingPartial(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installSmallAtMoreLocations()
		e.sync(shop.ID)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products[0].Variants[1].Price = "24.99" })
		deleted := false
		e.fake.Answered = func(query string) {
			if !deleted && strings.Contains(query, "StockbellVariants") {
				deleted = true
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products[0].Variants = s.Products[0].Variants[1:] })
			}
		}
		e.sync(shop.ID)
		if !deleted {
			t.Fatal("the sync listed no variant")
		}
		e.wantSmallStock(shop.ID, "after a sync that found its item deleted")
		if medium, _ := e.variant(shop.ID, 757650484644203962); medium.Price != "24.99" {
			t.Fatalf("Medium's price is %s after the sync, want 24.99", medium.Price)
		}
	})
}

// TestStockCheckLevelsFieldMissingIsNoAnswer: the stock check reads a
// waited-for item's levels past the first 10; an answer there without the
// inventoryItem field fails the check with a failure in the sync log, and
// the locations past the first page are not dropped (the stock
// understated). The next check ends the failure.
func TestStockCheckLevelsFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installSmallAtMoreLocations()
		e.sync(shop.ID)
		small, _ := e.variant(shop.ID, smallVariant)
		e.queueSubscriber(shop.ID, small.ID, "waiting@example.com")
		check := func() error {
			return e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID})
		}
		e.fake.OmitFields = []string{"inventoryItem"}
		e.wantFieldMissingFailure(shop.ID, shopify.ReconcileSource, "inventoryItem", check)
		e.wantSmallStock(shop.ID, "after a stock check answered without the field")
		e.retryWithTheField(shop.ID, shopify.ReconcileSource, check)
		e.wantSmallStock(shop.ID, "after the next stock check")
	})
}

// TestItemVariantsFieldMissingIsNoAnswer: a webhook's read of an item new
// to the shop that backs more than 10 variants reads the rest of them
// past its first page; an answer there without the inventoryItem field
// leaves the receipt pending, stores none of the item's variants and is in
// the sync log. The next try stores them all.
func TestItemVariantsFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			for i := range int64(11) {
				s.Products = append(s.Products, &shopifytest.Product{ID: 92000 + i, Title: "Listing", Handle: "listing-" + itoa(i),
					Status: "ACTIVE", Published: true, UpdatedAt: e.clock.Now(), Variants: []*shopifytest.Variant{{ID: 93000 + i,
						Title: "Small", Price: "19.99", Policy: "DENY", InventoryItemID: smallItem, Tracked: true}}})
			}
		})
		e.fake.Answered = func(query string) {
			if strings.Contains(query, "StockbellInventoryItem(") {
				e.fake.Omit("inventoryItem") // the item's later variants only
			}
		}
		e.mustSend(e.levelUpdate(shopDomain, smallItem, warehouse, 0))
		e.wantFieldMissingFailure(shop.ID, shopify.RereadSource, "inventoryItem", e.processPending)
		e.wantVariants(shop.ID, 0, "after an item whose variants were not all read")
		e.retryWithTheField(shop.ID, shopify.RereadSource, e.processPending)
		e.wantVariants(shop.ID, 12, "after the item's read with every field")
	})
}

// TestProductVariantsFieldMissingIsNoAnswer: the read of a large
// product's variants answered without the product field is not taken for
// a product Shopify no longer has: the job fails, to be retried, with a
// failure in the sync log.
func TestProductVariantsFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.OmitFields = []string{"product"}
		job := stockbell.ShopifyProductVariantsJob{ShopID: shop.ID, ProductID: itoa(productID), Topic: shopify.TopicProductsCreate}
		read := func() error { return e.in.ReadProductVariants(context.Background(), job) }
		e.wantFieldMissingFailure(shop.ID, shopify.ProductVariantsSource, "product", read)
		e.retryWithTheField(shop.ID, shopify.ProductVariantsSource, read)
		e.wantVariants(shop.ID, 2, "after the product's variants were read")
	})
}

// TestVariantListedWithoutItsItemIsNoAnswer: a page of variants, the
// catalog sync's or a products/create's read of a large product's, whose
// variants come without the inventoryItem field (never null in Shopify's
// schema) fails the read, to be tried again, with a failure in the sync
// log; the variants are neither stored without their stock nor counted
// as read. The next read stores them. Another shop's rows are untouched.
func TestVariantListedWithoutItsItemIsNoAnswer(t *testing.T) {
	reads := []struct {
		name, source, omit string
		read               func(e *env, shopID int64) error
	}{
		{"catalog sync", shopify.CatalogSource, "productVariants.nodes.inventoryItem", func(e *env, shopID int64) error {
			return e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shopID})
		}},
		{"product's variants", shopify.ProductVariantsSource, "product.variants.nodes.inventoryItem", func(e *env, shopID int64) error {
			job := stockbell.ShopifyProductVariantsJob{ShopID: shopID, ProductID: itoa(productID), Topic: shopify.TopicProductsCreate}
			return e.in.ReadProductVariants(context.Background(), job)
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				victim := e.installVictim()
				victimRows := e.shopRows(victim.ID)
				shop := e.install()
				e.stockTShirt()
				read := func() error { return r.read(e, shop.ID) }
				e.fake.Omit(r.omit)
				e.wantFieldMissingFailure(shop.ID, r.source, "inventoryItem", read)
				e.wantVariants(shop.ID, 0, "after variants listed without their items")
				e.retryWithTheField(shop.ID, r.source, read)
				e.wantVariants(shop.ID, 2, "after the variants were read with their items")
				if e.shopRows(victim.ID) != victimRows {
					t.Fatal("the other shop's rows changed")
				}
			})
		})
	}
}

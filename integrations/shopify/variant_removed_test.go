package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestProductsUpdateDeletesRemovedVariants: products/update lists every
// variant of the product, so a variant it no longer lists is marked
// deleted (the medium stays) and revived by an update listing it again;
// a payload of 100 variants or more deletes none by itself (see
// TestLargeProductUpdateReadsItsVariants).
func TestProductsUpdateDeletesRemovedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt() // the shop's product in Shopify, as the payload describes it
		body := readTestdata(t, "products_update.json")
		update := func(updatedAt string, change func(p map[string]any)) {
			t.Helper()
			var p map[string]any
			d := json.NewDecoder(bytes.NewReader(body))
			d.UseNumber() // ids exceed 2^53
			if err := d.Decode(&p); err != nil {
				t.Fatal(err)
			}
			p["updated_at"] = updatedAt
			change(p)
			b, _ := json.Marshal(p)
			e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: b})
			e.runWebhookJobs()
		}
		e.mustSend(shopifytest.Webhook{Topic: shopify.TopicProductsUpdate, Body: body})
		e.runWebhookJobs()

		update("2022-01-02T10:00:00Z", func(p map[string]any) { p["variants"] = p["variants"].([]any)[1:] })
		small, _ := e.variant(shop.ID, smallVariant)
		medium, _ := e.variant(shop.ID, 757650484644203962)
		if !small.VariantDeleted || small.Deleted || small.Notifiable() || medium.VariantDeleted {
			t.Fatalf("after the small variant's removal: small %+v, medium %+v", small, medium)
		}
		update("2022-01-03T10:00:00Z", func(p map[string]any) {})
		if small, _ = e.variant(shop.ID, smallVariant); small.VariantDeleted || !small.Notifiable() {
			t.Fatalf("the small variant listed again = %+v", small)
		}
		// 100 variants may be a part of a larger product's: nothing is
		// deleted for their sake.
		update("2022-01-04T10:00:00Z", func(p map[string]any) {
			medium := p["variants"].([]any)[1].(map[string]any)
			var many []any
			for i := range 100 {
				v := maps.Clone(medium)
				v["id"], v["inventory_item_id"] = json.Number(fmt.Sprint(900000000000000000+i)), json.Number(fmt.Sprint(910000000000000000+i))
				many = append(many, v)
			}
			p["variants"] = many
		})
		if small, _ = e.variant(shop.ID, smallVariant); small.VariantDeleted {
			t.Fatalf("a payload of 100 variants deleted the small one: %+v", small)
		}
	})
}

// TestCatalogSyncDeletesVanishedVariants: the catalog sync lists variants
// page by page, so a variant removed from a product Shopify still has is
// marked deleted only at the end of a complete sync, which no longer
// listed it; the variants of every page are kept, and the sync after the
// variant is listed again revives it.
func TestCatalogSyncDeletesVanishedVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		e.stockTShirt()
		sync := func() {
			t.Helper()
			if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sync()
		var medium *shopifytest.Variant
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			shirt := s.Products[len(s.Products)-1]
			medium, shirt.Variants = shirt.Variants[1], shirt.Variants[:1]
		})
		sync()
		if v, _ := e.variant(shop.ID, int64(757650484644203962)); !v.VariantDeleted || v.Deleted {
			t.Fatalf("the medium removed from the T-shirt = %+v", v)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ? AND deleted = ?`, shop.ID, true); n != 1 {
			t.Fatalf("%d variants deleted, want the medium only", n)
		}
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			shirt := s.Products[len(s.Products)-1]
			shirt.Variants = append(shirt.Variants, medium)
		})
		sync()
		if v, _ := e.variant(shop.ID, int64(757650484644203962)); v.VariantDeleted {
			t.Fatalf("the medium listed again = %+v", v)
		}
	})
}

// largeProductID is a product with more variants than a products/update
// payload lists (shopifytest.PayloadVariants) and more than one page of
// the product's variants (250).
const largeProductID = int64(9_100_000_000_000_000)

// syncLargeProduct puts a product of n variants in the fake and has the
// shop's catalog synced, so every variant is stored.
func (e *env) syncLargeProduct(shop *stockbell.Shop, n int) {
	e.t.Helper()
	e.largeProduct(n)
	if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
		e.t.Fatal(err)
	}
}

// largeProduct puts in the fake a product of n variants, each sold out
// at the warehouse.
func (e *env) largeProduct(n int) {
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		p := &shopifytest.Product{ID: largeProductID, Title: "Poster", Handle: "poster", Status: "ACTIVE", Published: true,
			UpdatedAt: e.clock.Now().Add(-time.Hour)}
		for i := range int64(n) {
			id := int64(9_200_000_000_000_000) + i
			p.Variants = append(p.Variants, &shopifytest.Variant{ID: id, Title: fmt.Sprint("Size ", i), Price: "5.00",
				Policy: "DENY", InventoryItemID: id + 1_000_000, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse}}})
		}
		s.Products = append(s.Products, p)
	})
}

// TestLargeProductCreateReadsItsVariants: a products/create lists in full
// only the first 100 variants of a larger product, and names them all in
// variant_gids, so the product's variants are read through the Admin API
// as the catalog sync reads them, 25 a page, levels included, by the job
// the receipt queues: every variant is stored. The receipt asks Shopify
// only whether the shop has the product, new to it. The same webhook
// again, every variant stored, queues no job and asks Shopify nothing.
func TestLargeProductCreateReadsItsVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.largeProduct(150)
		last := int64(9_200_000_000_000_000 + 149)
		e.fake.SetLevel(shopDomain, last+1_000_000, warehouse, 4)
		create := e.fake.ProductCreate(shopDomain, largeProductID)
		calls := e.fake.Shop(shopDomain).GraphQLCalls
		e.mustSend(*create)
		e.runWebhookJobs()
		e.runProductVariantJobs()
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ?`, shop.ID); n != 150 {
			t.Fatalf("%d variants stored from a products/create of 150, want 150", n)
		}
		if v, levels := e.variant(shop.ID, last); v.Stock != 4 || levels[itoa(warehouse)] != 4 {
			t.Fatalf("the last variant = %+v, levels %v; want 4 at the warehouse", v, levels)
		}
		if got := e.fake.Shop(shopDomain).GraphQLCalls - calls; got != 7 {
			t.Fatalf("%d Admin API queries for the create, want 7 (whether the shop has it, then 150 variants, 25 a page)", got)
		}
		if n := e.processAskingNothing(*create); n != 0 {
			t.Fatalf("%d product variants jobs queued for a create whose variants are all stored, want 0", n)
		}
	})
}

// TestLargeProductCreateReceiptAsksNothing: the processing of a large
// products/create's receipt stores what the payload lists and queues the
// read of the product's other variants as a job of its own, asking
// Shopify itself only whether the shop has the product (one query of one
// point): a product of 2,048 variants takes minutes to read at a Standard
// shop's rate, which would hold up every shop's webhooks. The job then
// stores every variant.
func TestLargeProductCreateReceiptAsksNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.largeProduct(150)
		if n := e.processAskingNothing(*e.fake.ProductCreate(shopDomain, largeProductID)); n != 1 {
			t.Fatalf("%d product variants jobs queued by the create, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ?`, shop.ID); n != shopifytest.PayloadVariants {
			t.Fatalf("%d variants stored by the receipt, want the payload's %d", n, shopifytest.PayloadVariants)
		}
		e.runProductVariantJobs()
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ?`, shop.ID); n != 150 {
			t.Fatalf("%d variants stored once the job ran, want 150", n)
		}
	})
}

// processAskingNothing sends a large product's webhook and processes its
// receipt, which must ask Shopify nothing but, for a product the shop
// does not hold yet, whether the shop has it (one query), and returns how
// many product variants jobs are queued.
func (e *env) processAskingNothing(hook shopifytest.Webhook) int {
	e.t.Helper()
	var product struct {
		ID json.Number `json:"id"`
	}
	must(e.t, json.Unmarshal(hook.Body, &product))
	want := 0
	if e.count(`SELECT COUNT(*) FROM products p JOIN shops s ON s.id = p.shop_id WHERE s.domain = ? AND p.platform_id = ?`,
		shopDomain, product.ID.String()) == 0 {
		want = 1
	}
	calls := e.fake.Shop(shopDomain).GraphQLCalls
	e.mustSend(hook)
	e.runWebhookJobs()
	if got := e.fake.Shop(shopDomain).GraphQLCalls - calls; got != want {
		e.t.Fatalf("%d Admin API queries while the %s receipt was processed, want %d", got, hook.Topic, want)
	}
	return e.count(`SELECT COUNT(*) FROM river_job WHERE state = 'available' AND kind = 'shopify_product_variants'`)
}

// runProductVariantJobs runs the product variant jobs queued, as the
// server's workers would, and returns how many ran.
func (e *env) runProductVariantJobs() int {
	e.t.Helper()
	args := "json(args)"
	if e.db.Dialect == store.Postgres {
		args = "args::text"
	}
	var jobs []struct {
		ID   int64  `db:"id"`
		Args string `db:"args"`
	}
	if err := e.db.DB.Select(&jobs, `SELECT id, `+args+` AS args FROM river_job
		WHERE state = 'available' AND kind = 'shopify_product_variants' ORDER BY id`); err != nil {
		e.t.Fatal(err)
	}
	for _, j := range jobs {
		var job stockbell.ShopifyProductVariantsJob
		if err := json.Unmarshal([]byte(j.Args), &job); err != nil {
			e.t.Fatal(err)
		}
		if err := e.in.ReadProductVariants(context.Background(), job); err != nil {
			e.t.Fatalf("product variants job %+v: %v", job, err)
		}
		e.db.DB.MustExec(e.db.DB.Rebind(`UPDATE river_job SET state = 'completed', finalized_at = ? WHERE id = ?`), time.Now().UTC(), j.ID)
	}
	return len(jobs)
}

// TestLargeProductUpdateReadsItsVariants: a products/update of a product
// with more variants than the payload lists cannot tell which variant was
// removed, so the product's variants are read through the Admin API, a
// page of 250 at a time, by a job the receipt's processing queues (the
// receipt itself asks Shopify nothing): the one removed beyond the
// payload's first 100 is marked deleted, every other kept.
func TestLargeProductUpdateReadsItsVariants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.syncLargeProduct(shop, 300)
		removed := int64(9_200_000_000_000_000 + 280)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			p := s.Products[len(s.Products)-1]
			p.Variants = append(p.Variants[:280:280], p.Variants[281:]...)
			p.UpdatedAt = e.clock.Now()
		})
		if n := e.processAskingNothing(*e.fake.ProductUpdate(shopDomain, largeProductID)); n != 1 {
			t.Fatalf("%d product variants jobs queued by the update, want 1", n)
		}
		calls := e.fake.Shop(shopDomain).GraphQLCalls
		e.runProductVariantJobs()
		if v, _ := e.variant(shop.ID, removed); !v.VariantDeleted || v.Deleted || v.Notifiable() {
			t.Fatalf("the variant removed beyond the payload's = %+v", v)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ? AND deleted = ?`, shop.ID, true); n != 1 {
			t.Fatalf("%d variants deleted, want the removed one only", n)
		}
		if got := e.fake.Shop(shopDomain).GraphQLCalls - calls; got != 2 {
			t.Fatalf("%d Admin API queries for the update, want 2 (299 variants, 250 a page)", got)
		}
	})
}

// TestLargeProductUpdateWithEveryVariantAsksNothing: a large product's
// update whose variant_gids name every stored variant removed none, so
// no job is queued to list the product's variants through the Admin API.
func TestLargeProductUpdateWithEveryVariantAsksNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.syncLargeProduct(shop, 300)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			p := s.Products[len(s.Products)-1]
			p.Title, p.UpdatedAt = "Renamed", e.clock.Now()
		})
		if n := e.processAskingNothing(*e.fake.ProductUpdate(shopDomain, largeProductID)); n != 0 {
			t.Fatalf("%d product variants jobs queued for an update that named every variant, want 0", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM variants WHERE shop_id = ? AND deleted = ?`, shop.ID, true); n != 0 {
			t.Fatalf("%d variants deleted, want none", n)
		}
	})
}

// TestLargeProductUpdateKeepsAVariantMadeMeanwhile: the variants of a
// large product are listed by a read begun before the listing was asked
// for. A variant the merchant adds once the listing is answered is not
// in it, but its inventory_levels/update, processed meanwhile, stored it
// with a later read: it is kept, and the variant removed is deleted.
func TestLargeProductUpdateKeepsAVariantMadeMeanwhile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.syncLargeProduct(shop, 120)
		removed, added := int64(9_200_000_000_000_000+110), int64(9_200_000_000_000_500)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
			p := s.Products[len(s.Products)-1]
			p.Variants = append(p.Variants[:110:110], p.Variants[111:]...)
		})
		update := e.fake.ProductUpdate(shopDomain, largeProductID)
		var sent bool
		var webhookErr error
		e.fake.Answered = func(query string) {
			if sent || !strings.Contains(query, "StockbellProductVariants") {
				return
			}
			sent = true // the listing is answered: the merchant adds a variant
			e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
				p := s.Products[len(s.Products)-1]
				p.Variants = append(p.Variants, &shopifytest.Variant{ID: added, Title: "New", Price: "5.00", Policy: "DENY",
					InventoryItemID: added + 1_000_000, Tracked: true, Levels: []shopifytest.Level{{LocationID: warehouse, Available: 3}}})
			})
			webhookErr = e.trySend(shopifytest.Webhook{Topic: shopify.TopicInventoryLevelsUpdate,
				Body: levelBody(added+1_000_000, warehouse, 3, e.clock.Now())})
		}
		e.mustSend(*update)
		e.runWebhookJobs()
		e.runProductVariantJobs()
		if !sent || webhookErr != nil {
			t.Fatalf("the new variant's webhook during the listing: sent %t, %v", sent, webhookErr)
		}
		if v, _ := e.variant(shop.ID, added); v.VariantDeleted {
			t.Fatalf("the variant made while the listing was read = %+v", v)
		}
		if v, _ := e.variant(shop.ID, removed); !v.VariantDeleted {
			t.Fatalf("the variant removed = %+v", v)
		}
	})
}

package prestashop_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// receive verifies, stores and processes a post as the route and the job do.
func (e *env) receive(header http.Header, body []byte) {
	e.t.Helper()
	must(e.t, e.process(header, body))
}

// process verifies and stores a post, and returns the error of its
// processing job.
func (e *env) process(header http.Header, body []byte) error {
	e.t.Helper()
	rc, err := e.verifier().VerifyWebhook(ctx, header, body)
	must(e.t, err)
	_, err = e.db.RecordReceipt(ctx, rc)
	must(e.t, err)
	return e.registry.ProcessReceipt(ctx, stockbell.ProcessReceiptJob{ReceiptID: rc.ID})
}

// TestModulePostRestocks: the module's post applies the quantity at
// PrestaShop's time of it, as a pushed level (the engine's job is queued
// by the store with it; the end-to-end test sees the email); an older post
// arriving late is ignored.
func TestModulePostRestocks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		small := e.variant(shop, shirtID, shirtSmall)
		e.subscribe(shop, small, "ada@example.com")
		e.clock.Add(time.Minute)
		older := e.stockPost(shirtID, shirtSmall, 1)
		e.clock.Add(time.Second)
		e.receive(e.signed(secret, e.stockPost(shirtID, shirtSmall, 4)))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 4 || v.SoldOut() {
			t.Fatalf("small shirt after the post: %+v", v)
		}
		levels, err := db.FindInventoryLevels(ctx, small.ShopID, small.ID)
		must(t, err)
		if len(levels) != 1 || levels[0].Origin != stockbell.LevelChange || !levels[0].PlatformUpdatedAt.Equal(e.clock.Now().Truncate(time.Second)) {
			t.Fatalf("levels after the post: %+v", levels[0])
		}
		e.receive(e.signed(secret, older))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 4 {
			t.Fatalf("an older post, late, changed the stock to %d", v.Stock)
		}
	})
}

// TestModulePostUnknownVariant: a post about a product created since the
// last sync reads it; one about a product the shop does not have is
// recorded in the sync log; the product-level total of a product with
// combinations is let go without a record.
func TestModulePostUnknownVariant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.clock.Add(time.Minute)
		e.receive(e.signed(secret, e.stockPost(shirtID, 0, 3)))
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Products = append(s.Products, &prestashoptest.Product{ID: 5, Name: "Cap", Price: "9.000000", Active: true, Quantity: 2})
		})
		e.receive(e.signed(secret, e.stockPost(5, 0, 2)))
		if cap := e.variant(shop, 5, 0); cap.Stock != 2 || cap.ProductTitle != "Cap" {
			t.Fatalf("a product new since the sync: %+v", cap)
		}
		e.receive(e.signed(secret, e.stockPost(404, 0, 2)))
		rejected := stockbell.EventSyncItemRejected
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &rejected})
		must(t, err)
		if len(log) != 1 || !strings.Contains(log[0].Detail, `"404-0"`) || !strings.Contains(log[0].Detail, "does not list") {
			t.Fatalf("sync log rejections = %+v", log)
		}
	})
}

// asked returns how many requests the shop's webservice has answered.
func (e *env) asked() int { return len(e.fake.Requests()) }

// unknown reports whether Stockbell has no such variant.
func (e *env) unknown(shop *stockbell.Shop, product, attribute int64) bool {
	e.t.Helper()
	_, err := e.db.FindVariant(ctx, shop.ID, stockbell.PrestaShopVariantID(product, attribute))
	if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		e.t.Fatal(err)
	}
	return err != nil
}

// rejections returns the posts recorded in the shop's sync log as naming
// what the shop does not list.
func (e *env) rejections(shop *stockbell.Shop) []*stockbell.Event {
	e.t.Helper()
	rejected := stockbell.EventSyncItemRejected
	log, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &rejected})
	must(e.t, err)
	return log
}

// TestProductTotalOfKnownCombinationsReadsNothing: each order line of a
// product with combinations makes PrestaShop post the combination's level
// and the product's total (attribute 0). Stockbell's stored variants say
// the product has combinations, so the total is let go without asking
// the shop's webservice anything, whether the posts are processed one at
// a time or claimed together; the combinations' levels are applied and
// restock whoever waits.
func TestProductTotalOfKnownCombinationsReadsNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		before := e.asked()
		e.clock.Add(time.Minute)
		e.receive(e.signed(secret, e.stockPost(shirtID, shirtMedium, 2)))
		e.receive(e.signed(secret, e.stockPost(shirtID, 0, 2)))
		e.clock.Add(time.Minute)
		e.receiveTogether(secret, e.stockPost(shirtID, shirtMedium, 1), e.stockPost(shirtID, 0, 1),
			e.stockPost(shirtID, shirtSmall, 5), e.stockPost(shirtID, 0, 6))
		if n := e.asked() - before; n != 0 {
			t.Fatalf("the posts of a product with known combinations asked the webservice %d times: %v", n, e.fake.Requests()[before:])
		}
		if small, medium := e.variant(shop, shirtID, shirtSmall), e.variant(shop, shirtID, shirtMedium); small.Stock != 5 || medium.Stock != 1 {
			t.Fatalf("combinations after the posts: small %d, medium %d; want 5 and 1", small.Stock, medium.Stock)
		}
		if !e.unknown(shop, shirtID, 0) {
			t.Fatal("the product total became a variant")
		}
		if log := e.rejections(shop); len(log) != 0 {
			t.Fatalf("a product total was recorded in the sync log: %s", log[0].Detail)
		}
		var jobs int
		must(t, db.DB.Get(&jobs, `SELECT COUNT(*) FROM river_job WHERE kind = 'variant_stock_changed'`))
		if jobs != 1 {
			t.Fatalf("%d restock jobs, want one for the awaited small shirt", jobs)
		}
	})
}

// TestProductTotalReadWhenStoredVariantsMayMislead: the product total is
// let go unread only when the stored variants say the product has
// combinations and nothing says they are out of date. A product never
// seen is read (its combinations are stored, and its next total reads
// nothing); a product without combinations has its total applied; a
// product Stockbell holds deleted or unpublished, which the post shows
// the shop still sells, is read again, so its waiting shoppers can be
// notified. A product that lost its combinations since it was read is
// the one wrong guess: its total is let go until the next read of the
// product (here the reconciliation, for a shopper waiting) stores it.
func TestProductTotalReadWhenStoredVariantsMayMislead(t *testing.T) {
	t.Run("never seen", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop, secret := e.connected()
			e.fake.Do(func(s *prestashoptest.Shop) {
				s.Products = append(s.Products, &prestashoptest.Product{ID: 6, Name: "Hoodie", Price: "30.000000", Active: true,
					Combinations: []*prestashoptest.Combination{{ID: 61, Reference: "hoodie_s", Price: "0", Quantity: 2}}})
			})
			before := e.asked()
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(6, 0, 2)))
			if e.asked() == before {
				t.Fatal("a product never seen was not read")
			}
			if v := e.variant(shop, 6, 61); v.Stock != 2 || !e.unknown(shop, 6, 0) {
				t.Fatalf("a product never seen, read: combination %+v", v)
			}
			before = e.asked()
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(6, 0, 1)))
			if n := e.asked() - before; n != 0 {
				t.Fatalf("the product's next total, its combinations stored, asked the webservice %d times", n)
			}
			if log := e.rejections(shop); len(log) != 0 {
				t.Fatalf("a product total was recorded in the sync log: %s", log[0].Detail)
			}
		})
	})
	t.Run("without combinations", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop, secret := e.connected()
			e.subscribe(shop, e.variant(shop, mugID, 0), "ada@example.com")
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(mugID, 0, 4)))
			if v := e.variant(shop, mugID, 0); v.Stock != 4 {
				t.Fatalf("the mug's own level was not applied: %+v", v)
			}
		})
	})
	// A product held out of date (hold) whose small shirt the shop
	// restocks: the read its total makes restores it for its shopper.
	heldOutOfDate := func(t *testing.T, hold func(e *env, shop *stockbell.Shop)) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop, secret := e.connected()
			e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
			hold(e, shop)
			e.fake.SetQuantity(shirtID, shirtSmall, 5)
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(shirtID, shirtSmall, 5)))
			e.receive(e.signed(secret, e.stockPost(shirtID, 0, 8)))
			if v := e.variant(shop, shirtID, shirtSmall); !v.Notifiable() || v.Stock != 5 {
				t.Fatalf("a product the shop sells stays out of alerts: %+v", v)
			}
		})
	}
	t.Run("deleted in Stockbell", func(t *testing.T) {
		heldOutOfDate(t, func(e *env, shop *stockbell.Shop) { must(t, e.db.DeleteProduct(ctx, shop.ID, "1")) })
	})
	t.Run("unpublished in Stockbell", func(t *testing.T) {
		heldOutOfDate(t, func(e *env, shop *stockbell.Shop) {
			e.setActive(shirtID, false)
			must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
			e.setActive(shirtID, true) // activating a product posts nothing
		})
	})
	t.Run("gained combinations", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop, secret := e.connected()
			e.fake.Do(func(s *prestashoptest.Shop) {
				s.Products[1].Combinations = []*prestashoptest.Combination{{ID: 21, Reference: "mug_big", Price: "1", Quantity: 3}}
			})
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(mugID, 21, 3)))
			e.receive(e.signed(secret, e.stockPost(mugID, 0, 3)))
			if v := e.variant(shop, mugID, 21); v.Stock != 3 {
				t.Fatalf("a combination new since the sync: %+v", v)
			}
		})
	})
	t.Run("lost combinations", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop, secret := e.connected()
			e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
			e.fake.Do(func(s *prestashoptest.Shop) { s.Products[0].Combinations, s.Products[0].Quantity = nil, 4 })
			e.clock.Add(time.Minute)
			e.receive(e.signed(secret, e.stockPost(shirtID, 0, 4)))
			if !e.unknown(shop, shirtID, 0) {
				t.Fatal("the total of a product that lost its combinations was read: the trade-off changed, update docs/prestashop.md")
			}
			e.clock.Add(15 * time.Minute)
			must(t, e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}))
			if v := e.variant(shop, shirtID, 0); v.Stock != 4 {
				t.Fatalf("the product, without combinations now, after the reconciliation: %+v", v)
			}
			if log := e.rejections(shop); len(log) != 0 {
				t.Fatalf("the product's total was recorded in the sync log: %s", log[0].Detail)
			}
		})
	})
}

// setActive activates or deactivates a product in the shop.
func (e *env) setActive(product int64, active bool) {
	e.fake.Do(func(s *prestashoptest.Shop) {
		for _, p := range s.Products {
			if p.ID == product {
				p.Active = active
			}
		}
	})
}

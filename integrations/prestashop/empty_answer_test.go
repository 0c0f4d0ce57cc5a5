package prestashop_test

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// reconcileEvery runs the shop's reconciliation n times, 15 minutes apart,
// as its job does.
func (e *env) reconcileEvery(shop *stockbell.Shop, n int) {
	e.t.Helper()
	for range n {
		e.clock.Add(15 * time.Minute)
		if err := e.in.Reconcile(ctx, stockbell.PrestaShopReconcileJob{ShopID: shop.ID}); err != nil {
			e.t.Fatalf("a reconciliation failed its job: %v", err)
		}
	}
}

// TestReconcileOfAnEmptyAnswerMarksNothing: shoppers wait for the small
// T-shirt and the mug, and the webservice answers an empty list for every
// product (as it does for a key whose shop of a multistore holds none of
// them). The reconciliation marks neither deleted, so their shoppers stay
// subscribed; it is a failure in the sync log and its banner, in the
// merchant's words, counted on one entry, without failing the job. The
// first reconciliation that reads a product again marks deleted the one
// the shop no longer lists and ends the failure.
func TestReconcileOfAnEmptyAnswerMarksNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.subscribe(shop, e.variant(shop, mugID, 0), "bob@example.com")
		var all []*prestashoptest.Product
		e.fake.Do(func(s *prestashoptest.Shop) { all, s.Products = s.Products, nil })
		e.reconcileEvery(shop, 2)
		if small, mug := e.variant(shop, shirtID, shirtSmall), e.variant(shop, mugID, 0); small.Deleted || mug.Deleted {
			t.Fatalf("after an empty answer: small = %+v, mug = %+v; want neither deleted", small, mug)
		}
		log, banner := storetest.SyncLog(t, db, shop.ID, prestashop.ReconcileSource)
		if len(log) != 1 || log[0].Kind != stockbell.EventSyncFailed || log[0].Failures != 2 ||
			!strings.Contains(log[0].Reason, "PrestaShop listed no products") || banner != log[0].Reason {
			t.Fatalf("after two empty answers the sync log = %+v, banner %q; want one failure, met twice, saying PrestaShop listed nothing", log, banner)
		}

		e.fake.Do(func(s *prestashoptest.Shop) { s.Products = all })
		e.deleteInShop(mugID)
		e.reconcileEvery(shop, 1)
		if small, mug := e.variant(shop, shirtID, shirtSmall), e.variant(shop, mugID, 0); small.Deleted || !mug.Deleted {
			t.Fatalf("after a reconciliation reading the T-shirt: small = %+v, mug = %+v; want the mug alone deleted", small, mug)
		}
		if log, banner := storetest.SyncLog(t, db, shop.ID, prestashop.ReconcileSource); log[0].Kind != stockbell.EventSyncFinished || banner != "" {
			t.Fatalf("after a reconciliation reading the shop again the sync log = %+v, banner %q; want the failure ended", log, banner)
		}
	})
}

// TestReconcileMarksDeletedTheOnlyWaitedForProduct: the mug alone has a
// shopper waiting, and the merchant deletes it. The webservice answers no
// product for the mug, but it still lists the shop's other products, so
// the mug is gone: the reconciliation marks it deleted, and records no
// failure.
func TestReconcileMarksDeletedTheOnlyWaitedForProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, mugID, 0), "bob@example.com")
		e.deleteInShop(mugID)
		e.reconcileEvery(shop, 1)
		if mug := e.variant(shop, mugID, 0); !mug.Deleted {
			t.Fatalf("the mug deleted in PrestaShop = %+v, want deleted", mug)
		}
		if log, _ := storetest.SyncLog(t, db, shop.ID, prestashop.ReconcileSource); len(log) != 0 {
			t.Fatalf("the reconciliation wrote to the sync log: %+v", log)
		}
	})
}

// TestPostReadOfAnEmptyAnswerMarksNothing: the module posts a stock
// change for a combination of the T-shirt that Stockbell does not have,
// so the T-shirt is read, and the webservice answers an empty list for
// every product. The T-shirt is not marked deleted (its shoppers stay
// subscribed); the post is done, and the sync log says PrestaShop listed
// no products.
func TestPostReadOfAnEmptyAnswerMarksNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.fake.Do(func(s *prestashoptest.Shop) { s.Products = nil })
		e.clock.Add(time.Minute)
		if err := e.process(e.signed(secret, e.stockPost(shirtID, 13, 2))); err != nil {
			t.Fatalf("the post failed its job: %v", err)
		}
		if small := e.variant(shop, shirtID, shirtSmall); small.Deleted {
			t.Fatalf("the T-shirt after an empty answer = %+v, want not deleted", small)
		}
		log, banner := storetest.SyncLog(t, db, shop.ID, prestashop.ModuleSource)
		if len(log) != 1 || log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Reason, "PrestaShop listed no products") || banner != log[0].Reason {
			t.Fatalf("the sync log = %+v, banner %q; want a failure saying PrestaShop listed nothing", log, banner)
		}
	})
}

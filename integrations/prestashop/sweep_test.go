package prestashop_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// fillers adds products from..to-1 to the shop, each with quantity.
func (e *env) fillers(from, to int64, quantity int) {
	e.fake.Do(func(s *prestashoptest.Shop) {
		for id := from; id < to; id++ {
			s.Products = append(s.Products, &prestashoptest.Product{ID: id, Name: fmt.Sprint("Filler ", id), Price: "1.000000", Active: true, Quantity: quantity})
		}
	})
}

// deleteInShop deletes the products in PrestaShop.
func (e *env) deleteInShop(ids ...int64) {
	e.fake.Do(func(s *prestashoptest.Shop) {
		var kept []*prestashoptest.Product
		for _, p := range s.Products {
			if !contains(ids, p.ID) {
				kept = append(kept, p)
			}
		}
		s.Products = kept
	})
}

func contains(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// listingPage matches the nth request (from 1) of the catalog sync's
// product listing: the products it lists, not a read of named ones.
func listingPage(n int32) func(string, url.Values) bool {
	var seen atomic.Int32
	return func(resource string, q url.Values) bool {
		ids := q.Get("filter[id]")
		if resource != "products" || q.Get("display") != "full" || (ids != "" && !strings.HasPrefix(ids, ">")) {
			return false
		}
		return seen.Add(1) == n
	}
}

// syncPausedAt runs the shop's catalog sync until the webservice is about
// to answer the first request match picks, runs during while the sync
// waits for that answer, then lets the sync finish and returns its error.
func (e *env) syncPausedAt(shop *stockbell.Shop, match func(string, url.Values) bool, during func()) error {
	e.t.Helper()
	paused, resume, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var matched atomic.Bool
	e.fake.BeforeAnswer(func(resource string, q url.Values) {
		if !matched.Load() && match(resource, q) && matched.CompareAndSwap(false, true) {
			close(paused)
			<-resume
		}
	})
	defer e.fake.BeforeAnswer(nil)
	go func() { done <- e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}) }()
	select {
	case <-paused:
	case err := <-done:
		e.t.Fatalf("the sync ended (%v) before the request it was to pause at", err)
	}
	during()
	close(resume)
	return <-done
}

// deleted reports whether the product's variant (attribute 0) is marked
// deleted.
func (e *env) deleted(shop *stockbell.Shop, product int64) bool {
	e.t.Helper()
	return e.variant(shop, product, 0).Deleted
}

// TestCatalogSyncMarksDeletedProducts: the daily sync lists the whole
// catalog; a product PrestaShop no longer has is marked deleted (its
// subscribers are not notified, the storefront refuses new ones), counted
// in the sync log, and counted once.
func TestCatalogSyncMarksDeletedProducts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, _ := e.connected()
		e.subscribe(shop, e.variant(shop, mugID, 0), "ada@example.com")
		e.deleteInShop(mugID)
		for range 2 {
			e.clock.Add(time.Minute)
			must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		}
		if mug := e.variant(shop, mugID, 0); !mug.Deleted || mug.Notifiable() {
			t.Fatalf("the mug deleted in PrestaShop = %+v, want deleted", mug)
		}
		for _, v := range []*stockbell.VariantWithProduct{e.variant(shop, shirtID, shirtSmall), e.variant(shop, shirtID, shirtMedium), e.variant(shop, posterID, 0)} {
			if v.Deleted {
				t.Errorf("%s, which PrestaShop still has, was marked deleted", v.PlatformID)
			}
		}
		var counts []any
		for _, entry := range e.syncLog(shop)[:2] {
			var d map[string]any
			must(t, json.Unmarshal([]byte(entry.Detail), &d))
			counts = append(counts, d["unpublished"])
		}
		if fmt.Sprint(counts) != "[0 1]" { // newest first
			t.Fatalf("vanished products in the last two syncs' entries = %v, want [0 1]", counts)
		}
	})
}

// TestCatalogSyncListsByID: the listing pages by id (filter[id]=>[last],
// sort=[id_ASC], limit=100), so a product deleted in PrestaShop while the
// listing is read shifts no page: none is skipped, none marked deleted
// for having been skipped. A product deleted after its page was read is
// marked by the next sync; one deleted before, by this one.
func TestCatalogSyncListsByID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fillers(100, 230, 5) // ids 1, 2, 3, 100…196 on the first page, 197… on the second
		shop, _ := e.connected()
		e.clock.Add(time.Minute)
		e.fake.Do(func(s *prestashoptest.Shop) {
			for _, p := range s.Products {
				p.Quantity = 7
			}
		})
		must(t, e.syncPausedAt(shop, listingPage(2), func() { e.deleteInShop(150, 220) }))
		for id := int64(100); id < 230; id++ {
			v := e.variant(shop, id, 0)
			switch {
			case id == 220 && !v.Deleted:
				t.Errorf("product 220, deleted before its page was read, is not marked deleted")
			case id != 220 && v.Deleted:
				t.Errorf("product %d was marked deleted", id)
			case id != 150 && id != 220 && v.Stock != 7:
				t.Errorf("product %d was not read: stock %d", id, v.Stock)
			}
		}
		for _, r := range e.fake.Requests() {
			resource, raw, _ := strings.Cut(r, "?")
			q, _ := url.ParseQuery(raw)
			if resource == "products" && q.Get("display") == "full" &&
				(!strings.HasPrefix(q.Get("filter[id]"), ">[") || q.Get("sort") != "[id_ASC]" || q.Get("limit") != "100") {
				t.Fatalf("a listing page not asked by id: %s", r)
			}
		}
		e.clock.Add(time.Minute)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if !e.deleted(shop, 150) {
			t.Fatal("product 150, deleted after its page was read, is not marked deleted by the next sync")
		}
	})
}

// TestFailedListingMarksNothing: a listing that fails part-way marks no
// product deleted: a shop that stays unavailable fails the job, which is
// retried, and so does one answering ids out of order (its sort ignored:
// a page by id would skip products); a key refused on the second page is
// recorded in the sync log, as any refusal is.
func TestFailedListingMarksNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fillers(100, 230, 5)
		shop, _ := e.connected()
		e.deleteInShop(mugID, 220)
		err := e.syncPausedAt(shop, listingPage(2), func() { e.fake.FailNext(prestashop.MaxAttempts, "") })
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("a listing whose second page is unavailable: %v, want the job to fail", err)
		}
		e.fake.Do(func(s *prestashoptest.Shop) {
			s.Products[0], s.Products[len(s.Products)-1] = s.Products[len(s.Products)-1], s.Products[0]
			s.Unordered = true
		})
		err = e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID})
		if err == nil || !strings.Contains(err.Error(), "out of order") {
			t.Fatalf("a listing answered out of order: %v, want the job to fail", err)
		}
		e.fake.Do(func(s *prestashoptest.Shop) { s.Unordered = false })
		must(t, e.syncPausedAt(shop, listingPage(2), func() { e.fake.Do(func(s *prestashoptest.Shop) { s.KeyDisabled = true }) }))
		if e.deleted(shop, mugID) || e.deleted(shop, 220) {
			t.Fatal("a listing that failed part-way marked products deleted")
		}
		log := e.syncLog(shop)
		if log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Detail, "refused the key") || !strings.Contains(log[0].Detail, prestashop.CatalogSource) {
			t.Fatalf("newest sync log entry = %s %s, want the refused key", log[0].Kind, log[0].Detail)
		}
	})
}

// TestProductsMadeDuringTheSyncAreKept: products PrestaShop creates while
// the listing is read are never marked deleted: one with a higher id is
// listed by a later page; one the listing cannot list (an import that
// forces a lower id than the page being read, or one created after the
// last page was read) but whose module post Stockbell read meanwhile is
// kept, as that read began after the listing did.
func TestProductsMadeDuringTheSyncAreKept(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fillers(100, 230, 5)
		shop, secret := e.connected()
		e.clock.Add(time.Minute)
		made := func(id int64) func() {
			return func() {
				e.fillers(id, id+1, 3)
				must(t, e.process(e.signed(secret, e.stockPost(id, 0, 3))))
			}
		}
		must(t, e.syncPausedAt(shop, listingPage(2), func() { e.fillers(300, 301, 2); made(50)() }))
		var stockReads atomic.Int32
		lastPageListed := listingPage(2)
		afterLastPage := func(resource string, q url.Values) bool {
			if lastPageListed(resource, q) {
				stockReads.Store(1)
			}
			return resource == "stock_availables" && stockReads.Load() == 1
		}
		must(t, e.syncPausedAt(shop, afterLastPage, made(400)))
		for _, id := range []int64{50, 300, 400} {
			if v := e.variant(shop, id, 0); v.Deleted {
				t.Errorf("product %d, made during the sync, was marked deleted", id)
			}
		}
		e.deleteInShop(mugID)
		must(t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
		if !e.deleted(shop, mugID) || e.deleted(shop, 50) || e.deleted(shop, 400) {
			t.Fatal("the next sync did not mark the mug deleted, or marked products the shop has")
		}
	})
}

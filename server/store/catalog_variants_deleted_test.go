package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUpsertAllVariantsDeletesTheUnlisted: an upsert listing all of a
// product's variants marks deleted the stored ones it leaves out (they
// notify no one, and the engine is woken for the one someone waits for);
// listing one again revives it, waking the engine again.
func TestUpsertAllVariantsDeletesTheUnlisted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, up, s, m := subscribedShirt(t, db)
		before := stockJobs(t, db)

		withoutS := up
		withoutS.Variants, withoutS.AllVariants = up.Variants[1:], true
		_, err := db.UpsertProduct(ctx, withoutS)
		must(t, err)
		if s = variant(t, db, shop.ID, s.PlatformID); !s.VariantDeleted || s.Deleted || s.Notifiable() {
			t.Fatalf("variant left out of a complete listing = %+v", s)
		}
		if m = variant(t, db, shop.ID, m.PlatformID); m.VariantDeleted || !m.Notifiable() {
			t.Fatalf("listed variant = %+v", m)
		}
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+1 || jobs[m.ID] != 0 {
			t.Fatalf("jobs after the deletion = %v (before %v), want one more for S only", jobs, before)
		}
		_, err = db.UpsertProduct(ctx, withoutS)
		must(t, err)
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+1 {
			t.Fatalf("deleting again woke the engine: %v (before %v)", jobs, before)
		}

		_, err = db.UpsertProduct(ctx, up)
		must(t, err)
		if s = variant(t, db, shop.ID, s.PlatformID); s.VariantDeleted || !s.Notifiable() {
			t.Fatalf("variant listed again = %+v", s)
		}
		if jobs := stockJobs(t, db); jobs[s.ID] != before[s.ID]+2 || jobs[m.ID] != 0 {
			t.Fatalf("jobs after the revival = %v (before %v), want one more for S only", jobs, before)
		}
	})
}

// TestUpsertWithoutAllVariantsDeletesNone: a listing that is not said to
// be complete (a page of variants), or an empty one, deletes nothing.
func TestUpsertWithoutAllVariantsDeletesNone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		up := shirt(shop.ID, time.Time{})
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
		page := up
		page.Variants = up.Variants[1:]
		empty := up
		empty.Variants, empty.AllVariants = nil, true
		for _, u := range []stockbell.ProductUpsert{page, empty} {
			_, err = db.UpsertProduct(ctx, u)
			must(t, err)
		}
		if s := variant(t, db, shop.ID, up.Variants[0].PlatformID); s.VariantDeleted {
			t.Fatalf("an incomplete listing deleted %+v", s)
		}
	})
}

// TestUpsertAllVariantsKeepsVariantsFoundSince: a complete listing read
// at R deletes only the unlisted variants whose latest finding came
// before R: one a read begun after R found, or an upsert from no read
// written after R began (a webhook about a variant made since), is kept.
// An upsert older than the stored product deletes none.
func TestUpsertAllVariantsKeepsVariantsFoundSince(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		upsert := func(read *stockbell.StockRead, all bool, updated time.Time, ids ...string) {
			t.Helper()
			up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p", Title: "p", Published: true, Read: read,
				AllVariants: all, UpdatedAt: updated}
			for _, id := range ids {
				up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: id, Tracked: true})
			}
			_, err := db.UpsertProduct(ctx, up)
			must(t, err)
		}
		begin := func() stockbell.StockRead { return beginRead(t, db) }
		before := begin()
		upsert(nil, false, time.Time{}, "old")
		upsert(&before, false, time.Time{}, "read-before")
		read := begin()
		upsert(nil, false, time.Time{}, "webhook")
		after := begin()
		upsert(&after, false, time.Time{}, "read-after")

		upsert(&read, true, at, "kept")
		for id, want := range map[string]bool{"old": true, "read-before": true, "webhook": false, "read-after": false, "kept": false} {
			if got := variant(t, db, shop.ID, id).VariantDeleted; got != want {
				t.Errorf("%s: deleted %t, want %t", id, got, want)
			}
		}

		upsert(nil, true, at.Add(-time.Hour), "kept")
		if variant(t, db, shop.ID, "webhook").VariantDeleted {
			t.Error("an upsert older than the stored product deleted a variant")
		}
	})
}

// TestVariantForSignupSeesItsDeletion: a sold-out variant answered from
// memory for sign-ups is not notifiable right after a complete listing of
// its product left it out.
func TestVariantForSignupSeesItsDeletion(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "signup.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"a": 0})
		if v, err := db.FindVariantForSignup(ctx, shop.ID, "a"); err != nil || !v.Notifiable() {
			t.Fatalf("sold-out variant for a sign-up = %+v, %v", v, err)
		}
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "p1", Published: true,
			AllVariants: true, Variants: []stockbell.VariantUpsert{{PlatformID: "b", Tracked: true}}})
		must(t, err)
		if v, err := db.FindVariantForSignup(ctx, shop.ID, "a"); err != nil || v.Notifiable() || !v.VariantDeleted {
			t.Fatalf("deleted variant for a sign-up = %+v, %v", v, err)
		}
	})
}

// TestDeleteVanishedVariant: a variant a complete sync did not list is
// marked deleted when the latest read that found it began before the
// sync did, waking the engine for whoever waits for it; one found since
// is kept, and so is a variant of a deleted product (the product says
// more). Stockbell's stock sequence orders them, never a clock.
func TestDeleteVanishedVariant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		upsert := func(product, id string, read *stockbell.StockRead) {
			t.Helper()
			_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: product, Title: product, Published: true,
				Read: read, Variants: []stockbell.VariantUpsert{{PlatformID: id, Tracked: true}}})
			must(t, err)
		}
		begin := func() stockbell.StockRead { return beginRead(t, db) }
		before := begin()
		upsert("p", "old", nil)
		upsert("p", "read-before", &before)
		upsert("gone", "of-deleted", nil)
		must(t, db.DeleteProduct(ctx, shop.ID, "gone"))
		subscribe(t, db, shop.ID, variant(t, db, shop.ID, "old").ID, "ann@example.com", "")
		jobs := stockJobs(t, db)
		sync := begin()
		upsert("p", "webhook", nil)
		after := begin()
		upsert("p", "read-after", &after)

		for id, want := range map[string]bool{"old": true, "read-before": true, "webhook": false, "read-after": false, "of-deleted": false} {
			deleted, err := db.DeleteVanishedVariant(ctx, shop.ID, id, sync)
			must(t, err)
			if v := variant(t, db, shop.ID, id); deleted != want || v.VariantDeleted != want {
				t.Errorf("%s: deleted %t (stored %t), want %t", id, deleted, v.VariantDeleted, want)
			}
		}
		old := variant(t, db, shop.ID, "old")
		if got := stockJobs(t, db); got[old.ID] != jobs[old.ID]+1 {
			t.Errorf("stock jobs for the waited-for variant = %d, want one more than %d", got[old.ID], jobs[old.ID])
		}
		if deleted, err := db.DeleteVanishedVariant(ctx, shop.ID, "old", sync); err != nil || deleted {
			t.Errorf("deleting again: %t, %v", deleted, err)
		}
		_, err := db.DeleteVanishedVariant(ctx, shop.ID, "unknown", sync)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.DeleteVanishedVariant(ctx, shop.ID, "webhook", stockbell.StockRead{})
		wantCode(t, err, stockbell.EINVALID, "sync")
	})
}

// beginRead begins a read of the platform, as a sync or a webhook does.
func beginRead(t *testing.T, db *store.DB) stockbell.StockRead {
	t.Helper()
	r, err := db.BeginStockRead(ctx)
	must(t, err)
	return r
}

package store_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatchDecisionNamesWhoDecided: an approval or a discard records
// who made it, as their admin session named them (an email and a
// BigCommerce user id, a Shopify session token's user id alone), and the
// decision read back names them; a decision recorded before Stockbell
// kept its maker reads back naming no one.
func TestHeldBatchDecisionNamesWhoDecided(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := manualShop(t, db, "deciders.myshopify.com", stockbell.TemplateEmailOnly, "v1", "v2", "v3")
		approved, _ := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com")
		discarded, _ := holdBatch(t, db, clock, shop.ID, "v2", "bea@example.com")
		old, _ := holdBatch(t, db, clock, shop.ID, "v3", "cy@example.com")
		ana := stockbell.AdminUser{ID: "5150", Email: "ana@example.com"}
		staff := stockbell.AdminUser{ID: "77"}
		_, err := db.ApproveHeldBatch(ctx, shop.ID, approved, ana)
		must(t, err)
		_, err = db.DiscardHeldBatch(ctx, shop.ID, discarded, staff)
		must(t, err)
		recordOldDiscard(t, db, shop.ID, "v3", old)

		for batch, want := range map[int64]stockbell.AdminUser{approved: ana, discarded: staff, old: {}} {
			d, err := db.FindHeldBatchDecision(ctx, shop.ID, batch)
			must(t, err)
			if d.By != want {
				t.Errorf("batch %d was decided by %+v, want %+v", batch, d.By, want)
			}
		}
	})
}

// recordOldDiscard writes the batch_decided event of a discard of batch
// as Stockbell recorded one before it kept who decided.
func recordOldDiscard(t *testing.T, db *store.DB, shopID int64, platformID string, batch int64) {
	t.Helper()
	v := variant(t, db, shopID, platformID)
	_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`),
		shopID, stockbell.EventBatchDecided, v.ID, fmt.Sprintf(`{"batch_id":%d,"decision":"discarded","messages":1}`, batch), db.Clock.Now())
	must(t, err)
}

// TestHeldBatchDecisionKeepsEarlierOnes: a batch approved, whose
// follow-up messages held since were discarded, reads back as its last
// decision, the discard, with the approval before it, who made it and
// when; another shop reads nothing of either.
func TestHeldBatchDecisionKeepsEarlierOnes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := manualShop(t, db, "earlier.myshopify.com", stockbell.TemplateEmailOnly, "v1")
		other := install(t, db, stockbell.PlatformShopify, "elsewhere.myshopify.com")
		batch, _ := holdBatch(t, db, clock, shop.ID, "v1", "ann@example.com")
		ana := stockbell.AdminUser{Email: "ana@example.com"}
		approvedAt := clock.Now()
		_, err := db.ApproveHeldBatch(ctx, shop.ID, batch, ana)
		must(t, err)
		clock.Add(time.Hour)
		recordOldDiscard(t, db, shop.ID, "v1", batch) // of the follow-ups held since

		d, err := db.FindHeldBatchDecision(ctx, shop.ID, batch)
		must(t, err)
		if d.Approved || !d.At.Equal(clock.Now()) || len(d.Earlier) != 1 {
			t.Fatalf("the decision on batch %d: %+v, want the discard with one decision before it", batch, d)
		}
		if e := d.Earlier[0]; !e.Approved || e.By != ana || !e.At.Equal(approvedAt) || e.Messages != 1 {
			t.Errorf("the decision before the discard: %+v, want ana's approval of 1 message at %s", e, approvedAt)
		}
		_, err = db.FindHeldBatchDecision(ctx, other.ID, batch)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

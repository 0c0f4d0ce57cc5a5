package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestOldBatchDecisionShowsOnTheTimelineInChromium: a discard recorded
// before Stockbell kept who decided was timed after the change it made
// to its shoppers, beyond their timelines' last change. A discarded
// shopper's page, read in headless Chromium, still shows the batch's
// discard line and its time on her hold's line, as for a decision
// recorded now, naming no one.
func TestOldBatchDecisionShowsOnTheTimelineInChromium(t *testing.T) {
	ctx := browsertest.NewWithin(t, 4*time.Minute)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		if _, err := db.DiscardHeldBatch(context.Background(), w.shop.ID, batch.ID, stockbell.AdminUser{}); err != nil {
			t.Fatal(err)
		}
		// As recorded before: the decision's event timed after her discard.
		decidedAt := f.clock.Now().Add(2 * time.Minute)
		if _, err := db.DB.Exec(db.DB.Rebind(`UPDATE events SET created_at = ? WHERE shop_id = ? AND kind = ?`),
			decidedAt, w.shop.ID, stockbell.EventBatchDecided); err != nil {
			t.Fatal(err)
		}
		signInChromium(t, ctx, f, w.shop)
		text := subscriberPageText(t, ctx, f, w.subs[0].ID)
		on := decidedAt.Format("2 Jan 2006, 15:04 UTC")
		for _, want := range []string{
			fmt.Sprintf("Batch %d discarded (", batch.ID),
			"Discarded in the admin (who discarded it was not recorded): its 1 message will not be sent.",
			"then discarded (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Discarded on " + on + ": their alert was not sent.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("Ann's page lacks %q:\n%s", want, text)
			}
		}
	})
}

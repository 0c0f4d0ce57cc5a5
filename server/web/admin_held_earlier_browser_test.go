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

// TestApproveAfterFollowUpsDiscardedSaysWhatHappenedInChromium: an
// Approve pressed, in headless Chromium, on a Flow page left open while a
// colleague approved the batch, and its follow-up reminders held since
// were discarded, says the batch was approved (its alerts queued) and
// then its follow-ups discarded, not that the batch was discarded.
func TestApproveAfterFollowUpsDiscardedSaysWhatHappenedInChromium(t *testing.T) {
	ctx := browsertest.NewWithin(t, 4*time.Minute)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		bg := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com")
		flow, err := stockbell.FlowFromTemplate(w.shop.ID, stockbell.TemplateEmailReminder)
		if err != nil {
			t.Fatal(err)
		}
		flow.Status = stockbell.FlowManual
		if err := db.UpdateFlow(bg, flow); err != nil {
			t.Fatal(err)
		}
		batch := claimBatch(t, f, w)
		signInChromium(t, ctx, f, w.shop)
		openHeldBatches(t, ctx, f, 1200)

		ana, cy := stockbell.AdminUser{Email: "ana@example.com"}, stockbell.AdminUser{Email: "cy@example.com"}
		if _, err := db.ApproveHeldBatch(bg, w.shop.ID, batch.ID, ana); err != nil {
			t.Fatal(err)
		}
		approvedOn := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		f.clock.Add(time.Hour)
		finishAlert(t, f, w.shop.ID, w.subs[0].ID, stockbell.MessageResult{Status: stockbell.MessageSent})
		if _, err := db.DiscardHeldBatch(bg, w.shop.ID, batch.ID, cy); err != nil { // Ann's reminder
			t.Fatal(err)
		}
		discardedOn := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")

		browsertest.Click(t, ctx, fmt.Sprintf(`document.querySelector("button[value=approve_%d]")`, batch.ID))
		waitForNewPage(t, ctx, `!!document.querySelector("[role=status]")`)
		text := mainText(t, ctx)
		want := fmt.Sprintf("Batch %d was already approved on %s by ana@example.com: its alerts were queued for sending then, and nothing is sent again. "+
			"Its follow-up messages held since were discarded on %s by cy@example.com: they will not be sent.", batch.ID, approvedOn, discardedOn)
		if !strings.Contains(text, want) || strings.Contains(text, "was already discarded") {
			t.Errorf("an Approve pressed after the approval and the follow-ups' discard lacks %q, or says the batch was discarded:\n%s", want, text)
		}
	})
}

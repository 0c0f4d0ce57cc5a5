package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAdminNamesWhoDecidedAHeldBatch: when one of a shop's admin users
// discards a held batch and another posts a decision on it again, the
// notice names who discarded it; the discarded shopper's page names them
// in its answer, in the batch's line and in her hold's line.
func TestAdminNamesWhoDecidedAHeldBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		id := strconv.FormatInt(batch.ID, 10)
		ana := stockbell.AdminUser{ID: "5150", Email: "ana@example.com"}
		if _, err := db.DiscardHeldBatch(context.Background(), w.shop.ID, batch.ID, ana); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		p := b.post("/admin/flow/batches/"+id+"/approve", url.Values{"csrf_token": {b.get("/admin/flow").csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "approving a batch a colleague discarded")
		on := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		wantPageSays(t, b, p.Header.Get("Location"), "Batch "+id+" was already discarded on "+on+" by ana@example.com:")

		page := fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)
		for _, want := range []string{
			"Not notified: ana@example.com discarded their batch", "alert on " + on + ".",
			"Batch " + id + " discarded by ana@example.com",
			"Held for your approval in batch " + id + ", then discarded (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Discarded by ana@example.com on " + on + ": their alert was not sent.",
		} {
			wantPageSays(t, b, page, want)
		}
	})
}

// TestHeldBatchDecisionOfOldNamesNoOne: a decision recorded before
// Stockbell kept who made it reads as made, when, and by someone not
// recorded: the pages name no one, and never "you".
func TestHeldBatchDecisionOfOldNamesNoOne(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		id := strconv.FormatInt(batch.ID, 10)
		// The zero AdminUser is recorded as no one: the event's detail as before.
		if _, err := db.DiscardHeldBatch(context.Background(), w.shop.ID, batch.ID, stockbell.AdminUser{}); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		on := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		text := visibleText(b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)).Body)
		for _, want := range []string{
			"alert was discarded on " + on + ".",
			"Batch " + id + " discarded (",
			"Discarded in the admin (who discarded it was not recorded): its 1 message will not be sent.",
			"then discarded (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Discarded on " + on + ": their alert was not sent.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the subscriber's page lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(strings.ToLower(text), "you discarded") || strings.Contains(text, "discarded by") {
			t.Errorf("the subscriber's page names who discarded an old decision:\n%s", text)
		}
	})
}

// TestHeldLineSaysWhatBecameOfHerOwnBatch: a shopper held in two batches
// (her approved alert skipped as sold out put her back in the queue, and
// the next batch held her again) reads, for each hold, what became of
// that batch for her: the first approved (though it was discarded later,
// for another shopper's reminder), the second discarded.
func TestHeldLineSaysWhatBecameOfHerOwnBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		flow, err := stockbell.FlowFromTemplate(w.shop.ID, stockbell.TemplateEmailReminder)
		if err != nil {
			t.Fatal(err)
		}
		flow.Status = stockbell.FlowManual
		if err := db.UpdateFlow(ctx, flow); err != nil {
			t.Fatal(err)
		}
		first := claimBatch(t, f, w)
		ana, cy := stockbell.AdminUser{Email: "ana@example.com"}, stockbell.AdminUser{Email: "cy@example.com"}
		if _, err := db.ApproveHeldBatch(ctx, w.shop.ID, first.ID, ana); err != nil {
			t.Fatal(err)
		}
		approvedOn := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")
		f.clock.Add(time.Hour)
		finishAlert(t, f, w.shop.ID, w.subs[0].ID, stockbell.MessageResult{Status: stockbell.MessageSkipped,
			Reason: string(stockbell.SkipSoldOutAgain), Requeue: true, StopFlow: true})
		finishAlert(t, f, w.shop.ID, w.subs[1].ID, stockbell.MessageResult{Status: stockbell.MessageSent})
		if _, err := db.DiscardHeldBatch(ctx, w.shop.ID, first.ID, cy); err != nil { // Bea's reminder
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		second := claimBatch(t, f, w)
		if _, err := db.DiscardHeldBatch(ctx, w.shop.ID, second.ID, cy); err != nil {
			t.Fatal(err)
		}
		discardedOn := f.clock.Now().Format("2 Jan 2006, 15:04 UTC")

		b := f.signIn(t, w.shop)
		text := visibleText(b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)).Body)
		held := func(batch *stockbell.RestockBatch) string {
			return "Held for your approval in batch " + strconv.FormatInt(batch.ID, 10) + ", then "
		}
		for _, want := range []string{
			held(first) + "approved (done) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Approved by ana@example.com on " + approvedOn + ":",
			held(second) + "discarded (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual). Discarded by cy@example.com on " + discardedOn + ":",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("Ann's timeline lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, held(first)+"discarded") {
			t.Errorf("Ann's timeline says her first batch discarded her:\n%s", text)
		}
	})
}

// TestHeldLineOfAShopperWhoLeftTheBatch: a shopper removed from her
// batch before the batch was discarded reads, on her hold's line, that
// her message was then not sent and why, not that it still waits for
// approval, nor that the discard was hers.
func TestHeldLineOfAShopperWhoLeftTheBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		if _, err := db.RemoveSubscription(ctx, w.shop.ID, w.subs[0].ID, decider); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		if _, err := db.DiscardHeldBatch(ctx, w.shop.ID, batch.ID, decider); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		text := visibleText(b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)).Body)
		want := "Held for your approval in batch " + strconv.FormatInt(batch.ID, 10) + " (not sent) Among the oldest in line; the first message (email) was prepared and held for your approval (the flow is manual), then not sent, because the subscriber was removed from their batch before it was approved."
		if !strings.Contains(text, want) || strings.Contains(text, "waits for your approval") || strings.Contains(text, "then discarded") {
			t.Errorf("Ann's timeline lacks %q, or says her hold waits or was discarded:\n%s", want, text)
		}
	})
}

// finishAlert records the outcome of the alert (step 1) of the shop's
// subscription.
func finishAlert(t *testing.T, f *adminFixture, shopID, subscriptionID int64, result stockbell.MessageResult) {
	t.Helper()
	messages, _, err := f.db.FindMessages(context.Background(), stockbell.MessageFilter{ShopID: &shopID, SubscriptionID: &subscriptionID})
	if err != nil || len(messages) != 1 {
		t.Fatalf("the alert of subscription %d: %v, %v", subscriptionID, messages, err)
	}
	result.ShopID, result.MessageID = shopID, messages[0].ID
	if _, err := f.db.FinishMessage(context.Background(), result); err != nil {
		t.Fatal(err)
	}
}

// claimBatch starts a batch of everyone waiting for w's variant, under the
// shop's flow as it is, and claims its shoppers.
func claimBatch(t *testing.T, f *adminFixture, w *waitingShop) *stockbell.RestockBatch {
	t.Helper()
	ctx := context.Background()
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Everyone: true, Stock: 3, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	return batch
}

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestHeldBatchIsNotNotifiedInTheAdmin: while a manual flow's batch
// waits for approval, the dashboard counts nobody notified, Products in
// demand says its shoppers await approval and a held shopper's page says
// she was not notified; once approved they count as notified, and a
// discarded batch's shoppers never do.
func TestHeldBatchIsNotNotifiedInTheAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		ctx := context.Background()
		flow := stockbell.DefaultFlow(w.shop.ID)
		flow.Status = stockbell.FlowManual
		if err := db.UpdateFlow(ctx, flow); err != nil {
			t.Fatal(err)
		}
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Size: 2, Stock: 1, PerUnit: 2,
			Cutoff: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		wantPageSays(t, b, "/admin", "0 notified in the last 30 days")
		wantPageSays(t, b, "/admin/products", "2 taken from the queue, 2 awaiting your approval")
		wantPageSays(t, b, fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID), "Not notified yet: in a batch waiting for your approval")

		if _, err := db.ApproveHeldBatch(ctx, w.shop.ID, batch.ID, decider); err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin", "2 notified in the last 30 days")
		wantPageSays(t, b, "/admin/products", "2 shoppers from 1 unit, 2 notified")
		wantPageSays(t, b, fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID), "Approved by owner@example.com; the first message")

		// The next batch takes Cy, and is discarded; Dee, who came after it, still waits.
		cutoff := f.clock.Now()
		f.clock.Add(time.Minute)
		if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "dee@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
			t.Fatal(err)
		}
		next, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Size: 1, Stock: 1, PerUnit: 1,
			Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: next.ID, Chunk: 1, Limit: 100}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DiscardHeldBatch(ctx, w.shop.ID, next.ID, decider); err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin", "2 notified in the last 30 days")
		wantPageSays(t, b, "/admin/products", "1 shopper from 1 unit, 1 taken from the queue, 0 notified")
		wantPageSays(t, b, fmt.Sprintf("/admin/subscribers/%d", w.subs[2].ID), "Not notified: owner@example.com discarded their batch")
	})
}

// wantPageSays fails unless the admin page answers 200 with the text.
func wantPageSays(t *testing.T, b *browser, path, want string) {
	t.Helper()
	p := b.get(path)
	wantStatus(t, p, http.StatusOK, path)
	if text := visibleText(p.Body); !strings.Contains(text, want) {
		t.Errorf("%s lacks %q:\n%s", path, want, text)
	}
}

// TestHeldBatchLeavesOutShoppersWhoLeftInTheAdmin: a held shopper who
// unsubscribes, or whose data is erased, is no longer counted in what
// the merchant decides on: the Flow page lists and counts the shoppers
// still held, Products in demand counts them awaiting approval, and the
// dashboard counts only batches someone still waits in; once approved,
// only the shopper notified counts as notified.
func TestHeldBatchLeavesOutShoppersWhoLeftInTheAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		ctx := context.Background()
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		if err := db.Unsubscribe(ctx, w.shop.ID, w.subs[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RedactContact(ctx, stockbell.Contact{ShopID: w.shop.ID, Email: "cy@example.com"}); err != nil {
			t.Fatal(err)
		}
		flow := visibleText(b.get("/admin/flow").Body)
		if !strings.Contains(flow, "1 message to ann@example.com Approve 1") || strings.Contains(flow, "bea@") || strings.Contains(flow, "cy@") {
			t.Errorf("the Flow page lists shoppers who left, or not Ann alone:\n%s", flow)
		}
		// Dee, who subscribed after the batch, keeps the item in demand;
		// the next batch holds her alone, and she unsubscribes.
		dee, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "dee@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin/products", "3 taken from the queue, 1 awaiting your approval")
		holdBatch(t, f, w)
		wantPageSays(t, b, "/admin", "2 batches of alerts wait for your approval")
		if err := db.Unsubscribe(ctx, w.shop.ID, dee.ID); err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin", "1 batch of alerts waits for your approval")
		if _, err := db.ApproveHeldBatch(ctx, w.shop.ID, batch.ID, decider); err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin", "1 notified in the last 30 days")
	})
}

// newWaitingShopToday is newWaitingShop with the clock first moved, if
// need be, so that the subscriptions (a minute apart) and what follows
// them fall on one day: the dashboard's last rows are today's.
func newWaitingShopToday(t *testing.T, f *adminFixture, emails ...string) *waitingShop {
	t.Helper()
	if now := f.clock.Now(); now.Add(15*time.Minute).Day() != now.Day() {
		f.clock.Add(15 * time.Minute)
	}
	return newWaitingShop(t, f, emails...)
}

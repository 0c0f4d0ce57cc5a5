package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestHeldBatchLeavesOutAShopperWhoUnsubscribedInChromium: of a batch
// held for approval, one shopper unsubscribes with the link in an
// earlier message, and the merchant takes another out with "Remove from
// this batch" on her page. The Flow page then lists and counts the third
// alone, the one approval would send to, and the dashboard counts no
// batch whose only shopper unsubscribed.
func TestHeldBatchLeavesOutAShopperWhoUnsubscribedInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	heldBatch(t, m, shop, "ann@example.com", "bea@example.com", "cy@example.com")
	unsubscribeInBrowser(t, m, ctx, shop, "bea@example.com")
	removeFromBatchInBrowser(t, m, ctx, shop, "cy@example.com")
	browse(t, ctx, m.URL()+"/admin/flow", "#held-heading")
	held := text(t, ctx, "#held-heading ~ .table-wrap")
	if !strings.Contains(held, "1 message to ann@example.com") || strings.Contains(held, "bea@example.com") ||
		strings.Contains(held, "cy@example.com") || !strings.Contains(held, "Approve 1") {
		t.Errorf("after Bea unsubscribed and Cy was removed the held batch reads:\n%s", held)
	}

	heldBatch(t, m, shop, "dee@example.com")
	unsubscribeInBrowser(t, m, ctx, shop, "dee@example.com")
	browse(t, ctx, m.URL()+"/admin", "main h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "1 batch of alerts waits for your approval") {
		t.Errorf("with one batch held and another whose only shopper unsubscribed, the dashboard says:\n%s", got)
	}
}

// TestHeldBatchApprovedInTwoTabsInChromium: a merchant has the Flow page
// open in two tabs and approves a batch in the first, then in the second.
// The second answers like the first, with a notice (not an error) saying
// the batch was approved already, and when; its shoppers are notified once.
func TestHeldBatchApprovedInTwoTabsInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	batch := heldBatch(t, m, shop, "ann@example.com", "bea@example.com")
	second, closeSecond := chromedp.NewContext(ctx)
	defer closeSecond()
	for _, tab := range []context.Context{ctx, second} {
		browse(t, tab, m.URL()+"/admin/flow", "#held-heading")
	}
	approve := fmt.Sprintf(`button[value=approve_%d]`, batch)
	clickAndWaitForNotice(t, ctx, approve, "Batch approved")
	clickAndWaitForNotice(t, second, approve, fmt.Sprintf("Batch %d was already approved on ", batch))
	if n := browsertest.Eval[int](t, second, `document.querySelectorAll("[role=alert]").length`); n != 0 {
		t.Errorf("the second approval shows %d alerts:\n%s", n, text(t, second, "main"))
	}
	notified := stockbell.EventNotified
	if _, n, err := m.DB.FindEvents(context.Background(), stockbell.EventFilter{ShopID: &shop.ID, Kind: &notified}); err != nil || n != 2 {
		t.Errorf("%d shoppers notified (%v), want the batch's 2 once", n, err)
	}
}

// unsubscribeInBrowser opens the unsubscribe link of the shopper's
// subscription, as in a message, and removes the alert.
func unsubscribeInBrowser(t *testing.T, m *Main, ctx context.Context, shop *stockbell.Shop, email string) {
	t.Helper()
	subs, _, err := m.DB.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shop.ID, Email: &email, Limit: 1})
	if err != nil || len(subs) != 1 {
		t.Fatalf("%s's subscription: %v %v", email, subs, err)
	}
	browse(t, ctx, m.URL()+unsubscribeLink(t, m, shop, subs[0]), "li form button")
	clickAndWait(t, ctx, "li form button", ".done")
}

// removeFromBatchInBrowser opens the held shopper's page in the admin and
// removes them from their batch with its button, confirming.
func removeFromBatchInBrowser(t *testing.T, m *Main, ctx context.Context, shop *stockbell.Shop, email string) {
	t.Helper()
	subs, _, err := m.DB.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shop.ID, Email: &email, Limit: 1})
	if err != nil || len(subs) != 1 {
		t.Fatalf("%s's subscription: %v %v", email, subs, err)
	}
	const button = `form[action*="/remove"] button`
	browse(t, ctx, fmt.Sprintf("%s/admin/subscribers/%d", m.URL(), subs[0].ID), button)
	if got := text(t, ctx, button); got != "Remove from this batch" {
		t.Errorf("%s's page offers %q, want Remove from this batch", email, got)
	}
	clickYesAndWaitForNotice(t, ctx, button, "Removed from the batch: their alert will not be sent.")
}

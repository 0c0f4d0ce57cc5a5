package main

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestHeldBatchLeavesOutAShopperWhoUnsubscribedInChromium: of a batch
// held for approval, one shopper unsubscribes with the link in an
// earlier message. The Flow page then lists and counts the other alone,
// the one approval would send to, and the dashboard counts no batch
// whose only shopper unsubscribed.
func TestHeldBatchLeavesOutAShopperWhoUnsubscribedInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	heldBatch(t, m, shop, "ann@example.com", "bea@example.com")
	unsubscribeInBrowser(t, m, ctx, shop, "bea@example.com")
	browse(t, ctx, m.URL()+"/admin/flow", "#held-heading")
	held := text(t, ctx, "#held-heading ~ .table-wrap")
	if !strings.Contains(held, "1 message to ann@example.com") || strings.Contains(held, "bea@example.com") ||
		!strings.Contains(held, "Approve 1") {
		t.Errorf("after Bea unsubscribed the held batch reads:\n%s", held)
	}

	heldBatch(t, m, shop, "cy@example.com")
	unsubscribeInBrowser(t, m, ctx, shop, "cy@example.com")
	browse(t, ctx, m.URL()+"/admin", "main h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "1 batch of alerts waits for your approval") {
		t.Errorf("with one batch held and another whose only shopper unsubscribed, the dashboard says:\n%s", got)
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

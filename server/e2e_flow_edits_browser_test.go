package main

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestFlowSaveKeepsTestAddressAndPreviewLanguageInChromium: a merchant
// types where tests go and previews message 1 in French, then saves. The
// saved page still has the address and the French preview, so "Send a
// test" right after the save goes where they typed.
func TestFlowSaveKeepsTestAddressAndPreviewLanguageInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	retypeField(t, ctx, "test_to", "tests@example.com")
	choosePreviewLanguage(t, ctx, 1, "fr")
	clickAndWait(t, ctx, `#flow-form button[value=save]`, `[role=status]`)
	if got := text(t, ctx, `[role=status]`); !strings.Contains(got, "Flow saved") {
		t.Fatalf("after saving the page says %q", got)
	}
	wantFields(t, ctx, "after saving", map[string]string{"test_to": "tests@example.com", "s1_preview": "fr"})
	wantPreviewIn(t, ctx, 1, "fr", "est de nouveau en stock")

	clickAndWait(t, ctx, `#flow-form button[value=test_1]`, `[role=status]`)
	if got := text(t, ctx, `[role=status]`); !strings.Contains(got, "sent to tests@example.com") {
		t.Errorf("the test after saving: the page says %q", got)
	}
	sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
	if err != nil || len(sent) == 0 || sent[0].Recipient != "tests@example.com" {
		t.Fatalf("the test went out as %+v (%v), not to the typed address", sent, err)
	}
}

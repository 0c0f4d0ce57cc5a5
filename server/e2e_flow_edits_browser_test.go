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

// TestFlowSaveRefusesAFlowChangedElsewhereInChromium: a merchant edits
// message 1 while the flow is changed elsewhere (another tab, the API).
// Their save is refused, saying so, with what they typed still in the
// form and the other change still stored; saving again then replaces it,
// knowingly.
func TestFlowSaveRefusesAFlowChangedElsewhereInChromium(t *testing.T) {
	m, ctx, shop, before := openDemoFlowPage(t)
	retypeField(t, ctx, "s1_subject", "Typed in this tab")
	elsewhere := *before
	elsewhere.Steps = append([]stockbell.FlowStep{}, before.Steps...)
	elsewhere.Steps[0].Subject = "Saved elsewhere"
	if err := m.DB.UpdateFlow(context.Background(), &elsewhere); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, `#flow-form button[value=save]`, "#form-error")
	if got := text(t, ctx, "#form-error"); !strings.Contains(got, "changed elsewhere") {
		t.Errorf("the refusal reads %q", got)
	}
	wantFields(t, ctx, "after the refusal", map[string]string{"s1_subject": "Typed in this tab"})
	if stored := savedSubject(t, m, shop); stored != "Saved elsewhere" {
		t.Fatalf("the refused save stored subject %q", stored)
	}
	clickAndWait(t, ctx, `#flow-form button[value=save]`, `[role=status]`)
	if stored := savedSubject(t, m, shop); stored != "Typed in this tab" {
		t.Errorf("saving again, knowingly, stored subject %q", stored)
	}
}

// savedSubject is the stored subject of the flow's first message.
func savedSubject(t *testing.T, m *Main, shop *stockbell.Shop) string {
	t.Helper()
	flow, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	return flow.Steps[0].Subject
}

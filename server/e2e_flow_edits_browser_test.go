package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestFlowSaveKeepsTestAddressAndPreviewLanguageInChromium: a merchant
// types where tests go and previews message 1 in French, then saves. The
// saved page still has the address and the French preview, so "Send a
// test" right after the save goes where they typed; the address is not in
// the saved page's URL.
func TestFlowSaveKeepsTestAddressAndPreviewLanguageInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	retypeField(t, ctx, "test_to", "tests@example.com")
	choosePreviewLanguage(t, ctx, 1, "fr")
	clickAndWaitForNotice(t, ctx, `#flow-form button[value=save]`, "Flow saved")
	wantFields(t, ctx, "after saving", map[string]string{"test_to": "tests@example.com", "s1_preview": "fr"})
	wantPreviewIn(t, ctx, 1, "fr", "est de nouveau en stock")
	if at := browsertest.Eval[string](t, ctx, `location.href`); strings.Contains(at, "tests") || strings.Contains(at, "test_to") {
		t.Errorf("the saved page's URL %s names the test address", at)
	}

	clickAndWaitForNotice(t, ctx, `#flow-form button[value=test_1]`, "sent to tests@example.com")
	sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
	if err != nil || len(sent) == 0 || sent[0].Recipient != "tests@example.com" {
		t.Fatalf("the test went out as %+v (%v), not to the typed address", sent, err)
	}
}

// TestFlowBatchDecisionKeepsUnsavedEditsInChromium: with a batch held for
// approval, a merchant edits message 1's subject, then approves the batch
// without saving. The batch is approved and the page still holds the
// subject they typed, unsaved; the same goes for discarding.
func TestFlowBatchDecisionKeepsUnsavedEditsInChromium(t *testing.T) {
	m, ctx, shop, before := openDemoFlowPage(t)
	first, second := heldBatch(t, m, shop, "ann@example.com"), heldBatch(t, m, shop, "bea@example.com")
	browse(t, ctx, m.URL()+"/admin/flow", "#held-heading")
	retypeField(t, ctx, "s1_subject", "Your sweater is back")

	clickAndWaitForNotice(t, ctx, fmt.Sprintf(`button[value=approve_%d]`, first), "Batch approved")
	wantFields(t, ctx, "after approving", map[string]string{"s1_subject": "Your sweater is back"})
	clickYesAndWaitForNotice(t, ctx, fmt.Sprintf(`button[value=discard_%d]`, second), "Batch discarded")
	wantFields(t, ctx, "after discarding", map[string]string{"s1_subject": "Your sweater is back"})

	held, err := m.DB.FindHeldBatches(context.Background(), shop.ID)
	if err != nil || len(held) != 0 {
		t.Errorf("batches still held: %+v (%v)", held, err)
	}
	after, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil || after.Steps[0].Subject != before.Steps[0].Subject {
		t.Errorf("deciding on batches saved the flow: %+v (%v)", after, err)
	}
}

// TestHeldBatchButtonsInSightOnAPhoneInChromium: at 390 px a held batch's
// Approve and Discard buttons are in sight, not past the right edge of a
// table the merchant would have to scroll sideways.
func TestHeldBatchButtonsInSightOnAPhoneInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	batch := heldBatch(t, m, shop, "a.rather.long.address.of.a.shopper@example.com")
	browsertest.Do(t, ctx, chromedp.EmulateViewport(390, 900))
	browse(t, ctx, m.URL()+"/admin/flow", "#held-heading")
	for _, verb := range []string{"approve", "discard"} {
		inSight := browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(() => {
			const b = document.querySelector("button[value=%s_%d]").getBoundingClientRect();
			const wrap = document.querySelector("#held-heading ~ .table-wrap").getBoundingClientRect();
			return b.left >= wrap.left && b.right <= wrap.right && b.right <= innerWidth;
		})()`, verb, batch))
		if !inSight {
			t.Errorf("at 390 px the %s button is out of sight", verb)
		}
	}
}

// TestHeldSubscriberLinksToTheFlowPageInChromium: the page of a shopper
// whose alert waits for approval links to the Flow page, where the batch
// is approved or discarded.
func TestHeldSubscriberLinksToTheFlowPageInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	heldBatch(t, m, shop, "held@example.com")
	browse(t, ctx, m.URL()+"/admin/subscribers", "main table")
	clickAndWait(t, ctx, `main table a`, ".answer")
	if !hasLink(t, ctx, ".answer ~ p", "/admin/flow") {
		t.Fatalf("the held subscriber's answer does not link to the Flow page:\n%s", text(t, ctx, "main"))
	}
	clickAndWait(t, ctx, `.answer ~ p a[href="/admin/flow"]`, "#held-heading")
}

// TestOutboxSaysWhyAManualFlowsAlertsAreNotThereInChromium: with the flow
// manual, the outbox does not promise alerts within seconds: it says they
// wait for approval and links to the Flow page.
func TestOutboxSaysWhyAManualFlowsAlertsAreNotThereInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	heldBatch(t, m, shop, "held@example.com")
	browse(t, ctx, m.URL()+"/admin/outbox", "main h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "wait for your approval") || strings.Contains(got, "within seconds") {
		t.Errorf("with the flow manual the outbox says:\n%s", got)
	}
	if !hasLink(t, ctx, "main", "/admin/flow") {
		t.Error("the outbox does not link to the Flow page")
	}
}

// TestFlowMessageFieldsLineUpInChromium: on a wide screen a message's
// "Send by", wait and smart sending fields stand side by side with their
// labels, and their boxes, on one line, although only two have a hint
// under them.
func TestFlowMessageFieldsLineUpInChromium(t *testing.T) {
	_, ctx, _, _ := openDemoFlowPage(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(1280, 900))
	tops := browsertest.Eval[[]float64](t, ctx, `["s1_channel", "s1_delay", "s1_smart_hours"].flatMap((id) =>
		[document.querySelector("label[for=" + id + "]"), document.getElementById(id)].map((e) => e.getBoundingClientRect().top))`)
	for i := 2; i < len(tops); i += 2 {
		if tops[i] != tops[0] || tops[i+1] != tops[1] {
			t.Errorf("the label and box tops of the three fields differ: %v", tops)
			break
		}
	}
}

// TestDashboardSaysBatchesWaitForApprovalInChromium: with batches held,
// the dashboard says how many wait for approval and links to the Flow
// page, where they are decided.
func TestDashboardSaysBatchesWaitForApprovalInChromium(t *testing.T) {
	m, ctx, shop, _ := openDemoFlowPage(t)
	heldBatch(t, m, shop, "ann@example.com")
	heldBatch(t, m, shop, "bea@example.com")
	browse(t, ctx, m.URL()+"/admin", "main h1")
	if got := text(t, ctx, "main"); !strings.Contains(got, "2 batches of alerts wait for your approval") {
		t.Errorf("with two batches held the dashboard says:\n%s", got)
	}
	clickAndWait(t, ctx, `#held-note a`, "#held-heading")
}

// clickAndWaitForNotice clicks a button and checks that the page it leads
// to says words in its notice.
func clickAndWaitForNotice(t *testing.T, ctx context.Context, selector, words string) {
	t.Helper()
	clickAndWait(t, ctx, selector, `[role=status]`)
	if got := text(t, ctx, `[role=status]`); !strings.Contains(got, words) {
		t.Errorf("after clicking %s the page says %q, not %q", selector, got, words)
	}
}

// clickYesAndWaitForNotice clicks a destructive action's button, which
// asks first on a page of its own, then its Yes button, and checks the
// notice of the page after.
func clickYesAndWaitForNotice(t *testing.T, ctx context.Context, selector, words string) {
	t.Helper()
	clickAndWait(t, ctx, selector, "#question")
	clickAndWaitForNotice(t, ctx, `button[name=confirm]`, words)
}

// heldBatch sets the demo shop's flow to manual and holds a batch of the
// shoppers' messages for approval; it returns the batch's id.
func heldBatch(t *testing.T, m *Main, shop *stockbell.Shop, emails ...string) int64 {
	t.Helper()
	ctx := context.Background()
	setFlowStatus(t, m, shop, stockbell.FlowManual)
	for _, email := range emails {
		subscribeToSizeM(t, m, email)
	}
	_, v := demoSizeM(t, m)
	batch, err := m.DB.StartBatch(ctx, stockbell.BatchStart{ShopID: shop.ID, VariantID: v.ID, Everyone: true, Stock: 1, Cutoff: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	return batch.ID
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
	clickAndWaitForNotice(t, ctx, `#flow-form button[value=save]`, "Flow saved")
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

// TestFlowSaveAfterAConflictKeepsHiddenHTMLInChromium: message 1 has a
// French custom HTML of several lines, written through the API, which the
// page does not show. While the merchant edits message 1, a message is
// added in front elsewhere; their save is refused and saving again stores
// their messages, message 1 with its own HTML byte for byte (the browser
// sends a form's line breaks as CRLF), not the added message's.
func TestFlowSaveAfterAConflictKeepsHiddenHTMLInChromium(t *testing.T) {
	m, ctx, shop, before := openDemoFlowPage(t)
	const html = "<p>Un</p>\n<p>\"deux\" &amp; lignes</p>\n"
	flow := *before
	flow.Steps = append([]stockbell.FlowStep{}, before.Steps...)
	flow.Steps[0].Translations = map[string]stockbell.StepText{"fr": {Subject: "Un", HTML: html}}
	if err := m.DB.UpdateFlow(context.Background(), &flow); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, m.URL()+"/admin/flow", "#flow-form")
	retypeField(t, ctx, "s1_subject", "Typed in this tab")
	elsewhere := flow
	elsewhere.Steps = append([]stockbell.FlowStep{{Channel: stockbell.ChannelEmail,
		Translations: map[string]stockbell.StepText{"fr": {Subject: "Neuf", HTML: "<p>Neuf</p>"}}}}, flow.Steps[:len(flow.Steps)-1]...)
	if err := m.DB.UpdateFlow(context.Background(), &elsewhere); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, `#flow-form button[value=save]`, "#form-error")
	clickAndWaitForNotice(t, ctx, `#flow-form button[value=save]`, "Flow saved")
	stored, err := m.DB.FindFlow(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first := stored.Steps[0]; first.Subject != "Typed in this tab" || first.Translations["fr"] != (stockbell.StepText{Subject: "Un", HTML: html}) {
		t.Errorf("saving again stored message 1 as %+v", first)
	}
}

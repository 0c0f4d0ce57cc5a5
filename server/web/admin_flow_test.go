package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// flowForm is the flow page's form as a browser posts it.
func flowForm(token string, pairs ...string) url.Values {
	v := url.Values{"csrf_token": {token}, "status": {"live"}, "s1_channel": {"email"}, "s1_delay": {"0"}, "s1_smart_hours": {"0"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

func flowOf(t *testing.T, db *store.DB, shop *stockbell.Shop) *stockbell.Flow {
	t.Helper()
	f, err := db.FindFlow(context.Background(), shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFlowFormSavesStepsAndTranslations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		page := b.get("/admin/flow")
		wantStatus(t, page, http.StatusOK, "the flow page")
		token := page.csrf(t)

		added := b.post("/admin/flow", flowForm(token, "action", "add"))
		wantStatus(t, added, http.StatusOK, "adding a message")
		if !strings.Contains(added.Body, `id="step-2-heading"`) || len(flowOf(t, db, shop).Steps) != 1 {
			t.Fatalf("adding shows a second message without saving it")
		}
		p := b.post("/admin/flow", flowForm(token, "action", "save", "status", "manual",
			"s1_subject", "{{.Variant.ProductTitle}} is back at {{.Shop.Name}}", "s1_fr_subject", "{{.Variant.ProductTitle}} est de retour",
			"s2_channel", "sms", "s2_delay", "2h", "s2_skip_oos", "1", "s2_smart_hours", "12", "s2_body", "Still there: {{.ShortURL}}",
			"s2_other_lang", "it", "s2_other_body", "Ancora disponibile: {{.ShortURL}}"))
		wantStatus(t, p, http.StatusSeeOther, "saving")
		flow := flowOf(t, db, shop)
		if flow.Status != stockbell.FlowManual || len(flow.Steps) != 2 {
			t.Fatalf("saved %+v", flow)
		}
		one, two := flow.Steps[0], flow.Steps[1]
		if one.Subject != "{{.Variant.ProductTitle}} is back at {{.Shop.Name}}" || one.Translations["fr"].Subject != "{{.Variant.ProductTitle}} est de retour" ||
			len(one.Translations) != 1 {
			t.Errorf("message 1 = %+v", one)
		}
		if two.Channel != stockbell.ChannelSMS || two.Delay != 2*time.Hour || !two.SkipIfOutOfStock || two.SmartSendingHours != 12 ||
			two.Translations["it"].Body != "Ancora disponibile: {{.ShortURL}}" {
			t.Errorf("message 2 = %+v", two)
		}
		again := b.get("/admin/flow")
		if !strings.Contains(again.Body, `name="s2_it_body"`) {
			t.Errorf("the saved Italian text is not offered again")
		}
		removed := b.post("/admin/flow", flowForm(token, "action", "remove_1", "s2_channel", "sms"))
		if !strings.Contains(removed.Body, `value="sms" selected`) || strings.Contains(removed.Body, `id="step-2-heading"`) {
			t.Errorf("removing message 1 leaves the SMS as the only message")
		}
	})
}

func TestFlowFormRefusesBadValues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, shop)
		cases := []struct{ field, value, message string }{
			{"s1_delay", "soon", "Write the wait as a duration"},
			{"s1_delay", "800h", "A delay is between 0 and 720h, got 800h."},
			{"s1_smart_hours", "500", "Smart sending is 0 (off) to 168 hours"},
			{"s1_subject", "{{.Variant.ProductTitle", "does not parse"},
			{"s1_body", "{{.NoSuchField}}", "there is no field NoSuchField. Fields that can be used: .Shop.Name"},
			{"s1_subject", "{{.Variant.Colour}}", ".Variant has no field Colour"},
			{"s1_subject", strings.Repeat("x", 1001), "at most 1,000 characters"},
			{"s1_fr_body", "{{.Nope}}", "Message 1 (fr)"},
		}
		for _, c := range cases {
			p := b.post("/admin/flow", flowForm(token, "action", "save", c.field, c.value))
			wantStatus(t, p, http.StatusUnprocessableEntity, c.field+"="+c.value)
			if !strings.Contains(p.Body, c.message) || !strings.Contains(p.Body, `id="`+c.field+`-error"`) || strings.Contains(p.Body, "delivery.") {
				t.Errorf("%s=%s: want %q beside the field:\n%.3000s", c.field, c.value, c.message, p.Body)
			}
		}
		p := b.post("/admin/flow", flowForm(token, "action", "save", "status", "paused"))
		wantStatus(t, p, http.StatusUnprocessableEntity, "an unknown status")
		if after := flowOf(t, db, shop); after.Status != before.Status || len(after.Steps) != len(before.Steps) || !reflect.DeepEqual(after.Steps, before.Steps) {
			t.Fatalf("a refused post changed the flow: %+v", after)
		}
	})
}

func TestFlowPreviewAndTestMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		query := flowForm("", "step", "1", "s1_subject", "Back: {{.Variant.ProductTitle}}", "s1_body", "Hello {{.Contact.Email}}", "s1_preview", "fr")
		query.Del("csrf_token")
		html := b.get("/admin/flow/preview?" + query.Encode())
		wantStatus(t, html, http.StatusOK, "the preview")
		csp := html.Header.Get("Content-Security-Policy")
		if !strings.Contains(html.Body, "Hello shopper@example.com") || !strings.HasPrefix(csp, "sandbox ") ||
			!strings.Contains(csp, "frame-ancestors 'self'") || html.Header.Get("X-Frame-Options") != "" {
			t.Errorf("preview HTML: want it sandboxed and framable by the admin only (CSP %q, X-Frame-Options %q):\n%.2000s",
				csp, html.Header.Get("X-Frame-Options"), html.Body)
		}
		query.Set("format", "text")
		if text := b.get("/admin/flow/preview?" + query.Encode()); !strings.HasPrefix(text.Body, "Subject: Back: Wool Sweater") {
			t.Errorf("text preview:\n%s", text.Body)
		}
		if saved := b.get("/admin/flow/preview?step=1&format=text"); !strings.Contains(saved.Body, "Subject: Wool Sweater is back in stock") {
			t.Errorf("preview of the saved flow:\n%s", saved.Body)
		}

		p := b.post("/admin/flow", flowForm(token, "action", "test_1", "test_to", "me@example.com", "s1_subject", "Try {{.Variant.ProductTitle}}"))
		wantStatus(t, p, http.StatusOK, "sending a test")
		if !strings.Contains(p.Body, "Test of message 1 sent to me@example.com.") || !strings.Contains(p.Body, `value="Try {{.Variant.ProductTitle}}"`) {
			t.Errorf("after the test the page keeps the unsaved text and says so:\n%.3000s", p.Body)
		}
		sent, _, err := db.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &w.shop.ID})
		if err != nil || len(sent) != 1 || sent[0].Subject != "[Test] Try Wool Sweater" || sent[0].Recipient != "me@example.com" || sent[0].MessageID != nil {
			t.Fatalf("outbox after the test: %+v (%v)", sent, err)
		}
		bad := b.post("/admin/flow", flowForm(token, "action", "test_1", "test_to", "not an address"))
		wantStatus(t, bad, http.StatusUnprocessableEntity, "a test to a bad address")
		// A phone number, as the field's hint offers for text messages,
		// given for message 1, an email: the banner says the test was not
		// sent (nothing was being saved) and why a number does not do.
		phone := b.post("/admin/flow", flowForm(token, "action", "test_1", "test_to", "+1 201 555 0123"))
		banner := regexp.MustCompile(`(?s)<div class="banner error"[^>]*>(.*?)</div>`).FindStringSubmatch(phone.Body)
		if banner == nil || strings.Contains(banner[1], "Not saved") || !strings.Contains(banner[1], "Test not sent") ||
			!strings.Contains(banner[1], "Message 1 is sent by email") {
			t.Errorf("a test of an email to a phone number: the banner %q should say the test was not sent as message 1 is an email", banner)
		}
	})
}

func TestManualFlowBatchApproval(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		ctx := context.Background()
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		page := b.get("/admin/flow")
		if !strings.Contains(page.Body, "Batches waiting for your approval") || !strings.Contains(page.Body, "ann@example.com, bea@example.com") {
			t.Fatalf("held batch not listed:\n%.4000s", page.Body)
		}
		other := f.signIn(t, w.other)
		approve := "/admin/flow/batches/" + strconv.FormatInt(batch.ID, 10) + "/approve"
		wantStatus(t, other.post(approve, url.Values{"csrf_token": {other.get("/admin/flow").csrf(t)}}), http.StatusNotFound, "shop B approving shop A's batch")
		wantStatus(t, b.post(approve, url.Values{}), http.StatusForbidden, "approving without the CSRF token")
		p := b.post(approve, url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "approving")
		pending := stockbell.MessagePending
		msgs, total, err := db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &w.shop.ID, Status: &pending})
		if err != nil || total != 2 {
			t.Fatalf("pending after approval: %d %+v %v", total, msgs, err)
		}
		if after := b.get("/admin/flow"); strings.Contains(after.Body, "Batches waiting for your approval") {
			t.Error("the approved batch is still listed")
		}
	})
}

// Texts written under "Another language" are saved under their code, or
// refused with the code's field marked: never dropped while the rest is saved.
func TestFlowFormRefusesOtherLanguageTextsWithoutAValidCode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, shop)
		for _, code := range []string{"", "pt-", "português"} {
			p := b.post("/admin/flow", flowForm(token, "action", "save", "s1_subject", "Back in stock",
				"s1_other_lang", code, "s1_other_subject", "De volta", "s1_other_body", "Já está disponível: {{.ProductURL}}"))
			wantStatus(t, p, http.StatusUnprocessableEntity, "other language code "+strconv.Quote(code))
			if !strings.Contains(p.Body, `id="s1_other_lang-error"`) || !strings.Contains(p.Body, "such as it or pt") {
				t.Errorf("code %q: want the error beside the language code:\n%.3000s", code, p.Body)
			}
		}
		if after := flowOf(t, db, shop); !reflect.DeepEqual(after.Steps, before.Steps) {
			t.Fatalf("a refused post changed the flow: %+v", after.Steps)
		}
		// A code typed without texts adds nothing and erases no language.
		p := b.post("/admin/flow", flowForm(token, "action", "save", "s1_fr_subject", "De retour", "s1_other_lang", "fr"))
		wantStatus(t, p, http.StatusSeeOther, "a code without texts")
		if got := flowOf(t, db, shop).Steps[0].Translations; got["fr"].Subject != "De retour" || len(got) != 1 {
			t.Errorf("translations %+v", got)
		}
	})
}

// holdBatch sets the shop's flow to manual and holds a batch of everyone
// waiting for its variant.
func holdBatch(t *testing.T, f *adminFixture, w *waitingShop) *stockbell.RestockBatch {
	t.Helper()
	ctx := context.Background()
	flow := stockbell.DefaultFlow(w.shop.ID)
	flow.Status = stockbell.FlowManual
	if err := f.db.UpdateFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.variant.ShopID, VariantID: w.variant.ID, Everyone: true, Stock: 3, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	return batch
}

// TestFlowPreviewExplainsAnUnknownField: the preview of a text that uses a
// field that does not exist names it and the fields that can be used, in
// the merchant's words rather than Go's.
func TestFlowPreviewExplainsAnUnknownField(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		query := flowForm("", "step", "1", "s1_body", "Hello {{.Variant.Colour}}", "format", "text")
		query.Del("csrf_token")
		p := b.get("/admin/flow/preview?" + query.Encode())
		if !strings.Contains(p.Body, ".Variant has no field Colour") || !strings.Contains(p.Body, ".Variant.ProductTitle") ||
			strings.Contains(p.Body, "delivery.") || strings.Contains(p.Body, "VariantData") {
			t.Errorf("preview of an unknown field:\n%s", p.Body)
		}
	})
}

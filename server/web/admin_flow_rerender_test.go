package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// typedFlow is a flow form of three messages as a merchant types it: waits
// written their own way, a language code under "Another language" with no
// text yet, each preview in its own language and a test address.
func typedFlow(token string) url.Values {
	return flowForm(token, "status", "manual",
		"s1_delay", "90m", "s1_smart_hours", "3", "s1_skip_oos", "1", "s1_subject", "First subject",
		"s1_preheader", "First preheader", "s1_body", "First body", "s1_fr_subject", "Premier sujet", "s1_de_body", "Erster Text",
		"s1_html", "<p>First HTML</p>", "s1_other_lang", "pt", "s1_preview", "fr",
		"s2_channel", "sms", "s2_delay", "1.5h", "s2_smart_hours", "0", "s2_body", "Second text {{.ShortURL}}",
		"s2_es_body", "Segundo texto", "s2_preview", "de",
		"s3_channel", "email", "s3_delay", "2880m", "s3_smart_hours", "12", "s3_subject", "Third subject", "s3_preview", "es",
		"test_to", "tests@example.com")
}

// TestFlowFormActionsKeepWhatWasTyped: adding a message, removing one and
// sending a test show the form again unsaved, as the merchant typed it:
// every message's fields, each preview's language and the test address
// (which the messages after a removed one take with them). Nothing is
// saved, and the test address and preview languages never are.
func TestFlowFormActionsKeepWhatWasTyped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, shop)
		typed := typedFlow(token)
		for name := range typed { // two messages, to add a third
			if strings.HasPrefix(name, "s3_") {
				typed.Del(name)
			}
		}
		added := b.post("/admin/flow", with(typed, "action", "add"))
		wantStatus(t, added, http.StatusOK, "adding a message")
		wantShown(t, "after adding a message", formValues(t, added.Body, "flow-form"), typed, nil)

		three := typedFlow(token)
		removed := b.post("/admin/flow", with(three, "action", "remove_2"))
		wantStatus(t, removed, http.StatusOK, "removing message 2")
		shown := formValues(t, removed.Body, "flow-form")
		if shown.Has("s3_channel") {
			t.Errorf("after removing message 2 the form still shows three messages")
		}
		wantShown(t, "after removing message 2", shown, three, map[string]string{"s2_": "", "s3_": "s2_"})

		tested := b.post("/admin/flow", with(three, "action", "test_1"))
		wantStatus(t, tested, http.StatusOK, "sending a test")
		if !strings.Contains(tested.Body, "Test of message 1 sent to tests@example.com.") {
			t.Errorf("the test was not sent to the typed address:\n%.3000s", tested.Body)
		}
		wantShown(t, "after sending a test", formValues(t, tested.Body, "flow-form"), three, nil)

		refusedTest := b.post("/admin/flow", with(three, "action", "test_1", "test_to", "not an address"))
		wantStatus(t, refusedTest, http.StatusUnprocessableEntity, "a test to a bad address")
		wantShown(t, "after a refused test", formValues(t, refusedTest.Body, "flow-form"), with(three, "test_to", "not an address"), nil)

		emptied := b.post("/admin/flow", with(three, "action", "test_1", "test_to", ""))
		wantStatus(t, emptied, http.StatusUnprocessableEntity, "a test to no address")
		if got := formValues(t, emptied.Body, "flow-form").Get("test_to"); got != "" {
			t.Errorf("the test was refused for want of an address, yet the form shows %q as the address to send to", got)
		}

		after := flowOf(t, db, shop)
		if !reflect.DeepEqual(after.Steps, before.Steps) || after.Status != before.Status {
			t.Fatalf("the form's actions changed the saved flow: %+v", after)
		}
	})
}

// TestFlowTemplateKeepsTestAddressAndPreviewLanguages: starting again from
// a template replaces the messages but not where tests go nor the language
// each message is previewed in.
func TestFlowTemplateKeepsTestAddressAndPreviewLanguages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		token := b.get("/admin/flow").csrf(t)
		p := b.post("/admin/flow", with(typedFlow(token), "action", "template_"+stockbell.TemplateEmailThenSMS))
		wantStatus(t, p, http.StatusOK, "starting from a template")
		shown := formValues(t, p.Body, "flow-form")
		if shown.Get("s1_subject") != "" || shown.Get("s2_channel") != "sms" || shown.Has("s3_channel") {
			t.Errorf("the template did not replace the messages: %v", shown)
		}
		for name, want := range map[string]string{"test_to": "tests@example.com", "s1_preview": "fr", "s2_preview": "de"} {
			if got := shown.Get(name); got != want {
				t.Errorf("after the template the form shows %s=%q, chosen %q", name, got, want)
			}
		}
	})
}

// TestFlowFormKeepsEachMessagesHiddenTextsWhereverItMoves: a translation's
// custom HTML is not shown on the page (only the API writes it), so a saved
// message keeps its own when the form is saved. After message 1 is
// removed, the message that moves up keeps its HTML, not the removed
// one's; after starting again from a template, no message inherits any.
func TestFlowFormKeepsEachMessagesHiddenTextsWhereverItMoves(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		flow := flowOf(t, db, shop)
		flow.Steps = []stockbell.FlowStep{
			{Channel: stockbell.ChannelEmail, Translations: map[string]stockbell.StepText{"fr": {Subject: "Un", HTML: "<p>Un</p>"}}},
			{Channel: stockbell.ChannelEmail, Delay: time.Hour, Translations: map[string]stockbell.StepText{"fr": {Subject: "Deux", HTML: "<p>Deux</p>"}}},
		}
		if err := db.UpdateFlow(context.Background(), flow); err != nil {
			t.Fatal(err)
		}
		// submit posts the page's form as a browser does, with the button.
		submit := func(p page, action string) page {
			form := formValues(t, p.Body, "flow-form")
			form.Set("action", action)
			return b.post("/admin/flow", form)
		}
		removed := submit(b.get("/admin/flow"), "remove_1")
		wantStatus(t, submit(removed, "save"), http.StatusSeeOther, "saving after removing message 1")
		if got := flowOf(t, db, shop).Steps; len(got) != 1 || got[0].Translations["fr"] != (stockbell.StepText{Subject: "Deux", HTML: "<p>Deux</p>"}) {
			t.Errorf("after removing message 1 the flow saved %+v", got)
		}
		templated := submit(b.get("/admin/flow"), "template_"+stockbell.TemplateEmailReminder)
		wantStatus(t, submit(templated, "save"), http.StatusSeeOther, "saving a template")
		if got := flowOf(t, db, shop).Steps; len(got) != 2 || len(got[0].Translations) != 0 || len(got[1].Translations) != 0 {
			t.Errorf("the template's messages saved with the old messages' texts: %+v", got)
		}
	})
}

// TestFlowPreviewOffersEveryLanguageOfTheMessage: a message with texts in
// a language the page does not offer by name (Italian, added under
// "Another language") can be previewed in it, and that choice is kept
// when a message is added.
func TestFlowPreviewOffersEveryLanguageOfTheMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		flow := flowOf(t, db, shop)
		flow.Steps = []stockbell.FlowStep{{Channel: stockbell.ChannelEmail,
			Translations: map[string]stockbell.StepText{"it": {Subject: "Di nuovo disponibile"}}}}
		if err := db.UpdateFlow(context.Background(), flow); err != nil {
			t.Fatal(err)
		}
		form := formValues(t, b.get("/admin/flow").Body, "flow-form")
		added := b.post("/admin/flow", with(form, "action", "add", "s1_preview", "it"))
		wantStatus(t, added, http.StatusOK, "adding a message")
		if got := formValues(t, added.Body, "flow-form").Get("s1_preview"); got != "it" {
			t.Errorf("message 1 has Italian texts, yet its preview language shows %q after adding a message", got)
		}
		query := with(form, "step", "1", "format", "text", "s1_preview", "it")
		query.Del("csrf_token")
		if p := b.get("/admin/flow/preview?" + query.Encode()); !strings.Contains(p.Body, "Subject: Di nuovo disponibile") {
			t.Errorf("the Italian preview reads:\n%s", p.Body)
		}
	})
}

// with is a copy of form with the given fields set.
func with(form url.Values, pairs ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i], pairs[i+1])
	}
	return out
}

// wantShown checks that the form shows every posted field as typed, under
// its new name where a message moved (moved maps "s3_" to "s2_", and the
// removed message's prefix to "").
func wantShown(t *testing.T, what string, shown, posted url.Values, moved map[string]string) {
	t.Helper()
	for name, want := range posted {
		if name == "action" {
			continue
		}
		shownAs, removed := name, false
		for from, to := range moved {
			if rest, ok := strings.CutPrefix(name, from); ok {
				shownAs, removed = to+rest, to == ""
			}
		}
		if removed {
			continue
		}
		if !reflect.DeepEqual(shown[shownAs], want) {
			t.Errorf("%s the form shows %s=%q, typed %s=%q", what, shownAs, shown[shownAs], name, want)
		}
	}
}

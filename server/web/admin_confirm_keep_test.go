package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDiscardNoKeepsTheTypedEdits: answering No to the Discard question
// asked from the Flow page posts the merchant's typed messages back to
// the Flow page, which shows them as typed, unsaved: nothing of the flow
// is stored, the batch stays held, and the other shop's flow is untouched.
func TestDiscardNoKeepsTheTypedEdits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		savedFlow, otherFlow := flowOf(t, db, w.shop), flowOf(t, db, w.other)
		form := flowForm(b.get("/admin/flow").csrf(t), "status", "manual", "action", "discard_"+strconv.FormatInt(batch.ID, 10),
			"s1_subject", "Typed & unsaved", "s1_body", "Typed body {{.ProductTitle}}")
		asked := b.post("/admin/flow", form)
		wantStatus(t, asked, http.StatusOK, "discarding without the confirmation")
		action, no := answerNo(t, asked, "No, back to the Flow page")
		back := b.post(action, no)
		wantStatus(t, back, http.StatusOK, "answering no")
		for _, want := range []string{`value="Typed &amp; unsaved"`, "Typed body {{.ProductTitle}}"} {
			if !strings.Contains(html.UnescapeString(back.Body), html.UnescapeString(want)) {
				t.Errorf("after No the Flow page lacks the typed %s:\n%.3000s", want, visibleText(back.Body))
			}
		}
		if strings.Contains(back.Body, "Batch discarded") || strings.Contains(back.Body, "Flow saved") {
			t.Errorf("after No the Flow page says something was done:\n%.3000s", visibleText(back.Body))
		}
		if held, err := db.FindHeldBatches(context.Background(), w.shop.ID); err != nil || len(held) != 1 {
			t.Errorf("after No the shop holds %d batches (%v), want 1", len(held), err)
		}
		for shop, before := range map[*stockbell.Shop]*stockbell.Flow{w.shop: savedFlow, w.other: otherFlow} {
			if after := flowOf(t, db, shop); !reflect.DeepEqual(after, before) {
				t.Errorf("%s's flow changed after No: %+v → %+v", shop.Domain, before, after)
			}
		}
	})
}

var (
	formTag     = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)" id="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// answerNo finds the question page's No button, named label, and returns
// what it posts and where: the fields of the form it belongs to, and its
// own name and value. A link instead fails the test: it would drop the
// fields.
func answerNo(t *testing.T, p page, label string) (string, url.Values) {
	t.Helper()
	button := regexp.MustCompile(`<button[^>]* form="([^"]+)" name="([^"]+)" value="([^"]*)">` + regexp.QuoteMeta(label) + `</button>`).FindStringSubmatch(p.Body)
	if button == nil {
		t.Fatalf("no %q button posting a form:\n%.4000s", label, p.Body)
	}
	for _, form := range formTag.FindAllStringSubmatch(p.Body, -1) {
		if form[2] != button[1] {
			continue
		}
		values := url.Values{button[2]: {html.UnescapeString(button[3])}}
		for _, input := range hiddenInput.FindAllStringSubmatch(form[3], -1) {
			values.Add(input[1], html.UnescapeString(input[2]))
		}
		return html.UnescapeString(form[1]), values
	}
	t.Fatalf("no form %q for the %q button:\n%.4000s", button[1], label, p.Body)
	return "", nil
}

// TestEraseNoShowsTheContactAgain: answering No to the Erase question
// posts the contact back to the Privacy requests page, which shows it as
// typed, so that it need not be typed again, with no address holding it:
// nothing is erased, in this shop or in the other, where a shopper has
// the same address, and nothing of the other shop is shown.
func TestEraseNoShowsTheContactAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		typedEmail, typedPhone := " Ann@Example.com ", "+33 6 12 34 56 78"
		asked := b.post("/admin/privacy/erase", url.Values{"csrf_token": {b.get("/admin/privacy").csrf(t)},
			"email": {typedEmail}, "phone": {typedPhone}})
		wantStatus(t, asked, http.StatusOK, "erasing without the confirmation")
		action, no := answerNo(t, asked, "No, back to Privacy requests")
		if action != "/admin/privacy" {
			t.Errorf("No posts to %q, want /admin/privacy with the contact in the form only", action)
		}
		back := b.post(action, no)
		wantStatus(t, back, http.StatusOK, "answering no")
		for _, want := range []string{`value="` + typedEmail + `"`, `value="` + typedPhone + `"`} {
			if !strings.Contains(html.UnescapeString(back.Body), want) {
				t.Errorf("after No the Privacy requests page lacks the typed %s:\n%.3000s", want, visibleText(back.Body))
			}
		}
		for _, notShown := range []string{"Erased:", "Nothing to erase:", p.other.Domain} {
			if strings.Contains(back.Body, notShown) {
				t.Errorf("after No the Privacy requests page shows %q:\n%.3000s", notShown, visibleText(back.Body))
			}
		}
		for _, shopID := range []int64{p.shop.ID, p.other.ID} {
			if left := kept(t, db, shopID, p.ann, ""); len(left.Subscriptions) != 1 || len(left.Messages) != 1 {
				t.Errorf("after No shop %d keeps %d subscriptions and %d messages of Ann's address, want 1 and 1",
					shopID, len(left.Subscriptions), len(left.Messages))
			}
		}
		if left := kept(t, db, p.shop.ID, "", p.annPhoneNumber); len(left.Subscriptions) != 1 {
			t.Errorf("after No %d subscriptions of Ann's phone number are left, want 1", len(left.Subscriptions))
		}
	})
}

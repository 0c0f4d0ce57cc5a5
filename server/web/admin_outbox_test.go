package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestOutboxMarksOnlyTestsAsTests: the outbox marks "test" the tests sent
// from the Flow page, and nothing else that is not a flow message: an
// invitation to the admin is listed, and shown, as what it is.
func TestOutboxMarksOnlyTestsAsTests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		token := b.get("/admin/settings").csrf(t)
		wantStatus(t, b.post("/admin/invite", url.Values{"csrf_token": {token}, "email": {"colleague@example.com"}}), http.StatusSeeOther, "inviting")
		wantStatus(t, b.post("/admin/flow", flowForm(token, "action", "test_1", "test_to", "me@example.com")), http.StatusOK, "sending a test")
		sent, _, err := db.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &w.shop.ID})
		if err != nil || len(sent) != 2 {
			t.Fatalf("outbox: %+v (%v)", sent, err)
		}
		tests := map[string]bool{}
		for _, m := range sent {
			tests[m.Recipient] = m.Test
		}
		if !tests["me@example.com"] || tests["colleague@example.com"] {
			t.Errorf("kept as tests: %v, want the test to me@example.com only", tests)
		}

		list := b.get("/admin/outbox")
		wantStatus(t, list, http.StatusOK, "the outbox")
		if got := strings.Count(list.Body, `<span class="badge draft">test</span>`); got != 1 {
			t.Errorf("%d messages marked test, want 1 (the test)", got)
		}
		for _, m := range sent {
			page := b.get(fmt.Sprintf("/admin/outbox/%d", m.ID))
			if asTest := strings.Contains(page.Body, "as a test"); asTest != (m.Recipient == "me@example.com") {
				t.Errorf("the message to %s says it was sent as a test: %v", m.Recipient, asTest)
			}
		}
	})
}

// TestOutboxTextMessagePageNamesItsRecipient: a text message in the
// outbox (which has no subject) is titled, in the browser's tab as on the
// page, by its recipient, and its link is one to follow, in a tab of its
// own; another shop's admin finds no such message.
func TestOutboxTextMessagePageNamesItsRecipient(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		text := &stockbell.OutboxMessage{ShopID: shop.ID, Channel: stockbell.ChannelSMS, Recipient: "+33612345678", FromName: "A shop",
			Text: "A shop: Trail Runner (43) is back in stock. http://localhost/r/AbC_12-x.", ProviderID: "dev-1"}
		if err := db.RecordOutboxMessage(context.Background(), text); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/admin/outbox/%d", text.ID)
		p := f.signIn(t, shop).get(path)
		wantStatus(t, p, http.StatusOK, "the text message's page")
		if title := html.UnescapeString(regexp.MustCompile(`<title>(.*)</title>`).FindStringSubmatch(p.Body)[1]); !strings.HasPrefix(title, "Text message to +33612345678 · ") {
			t.Errorf("the text message's page is titled %q", title)
		}
		link := `<a href="http://localhost/r/AbC_12-x" target="_blank" rel="noopener">http://localhost/r/AbC_12-x</a>.`
		if !strings.Contains(p.Body, link) {
			t.Errorf("the text message's link is not a link to follow:\n%s", p.Body)
		}
		wantStatus(t, f.signIn(t, other).get(path), http.StatusNotFound, "another shop's admin on the text message")
	})
}

// TestOutboxTellsTextMessagesApart: the outbox lists each text message
// with the start of its text, so that a confirmation request and the
// alert after it to the same number are told apart without opening them.
func TestOutboxTellsTextMessagesApart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		for _, text := range []string{"A shop: confirm you want one text when Trail Runner (43) is back in stock. Reply YES or tap http://localhost/confirm/x",
			"A shop: Trail Runner (43) is back in stock. http://localhost/r/y"} {
			err := db.RecordOutboxMessage(context.Background(), &stockbell.OutboxMessage{ShopID: shop.ID, Channel: stockbell.ChannelSMS,
				Recipient: "+12015550123", FromName: "A shop", Text: text, ProviderID: "dev-1"})
			if err != nil {
				t.Fatal(err)
			}
		}
		list := f.signIn(t, shop).get("/admin/outbox")
		wantStatus(t, list, http.StatusOK, "the outbox")
		page := html.UnescapeString(list.Body)
		for _, want := range []string{"Text message: “A shop: confirm you want one text when Trail Runner…”",
			"Text message: “A shop: Trail Runner (43) is back in stock.”"} {
			if !strings.Contains(page, want) {
				t.Errorf("the outbox does not list %q:\n%s", want, visibleText(list.Body))
			}
		}
	})
}

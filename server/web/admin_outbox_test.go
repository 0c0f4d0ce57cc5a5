package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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

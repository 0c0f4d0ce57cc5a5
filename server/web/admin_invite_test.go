package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestInvitedStaffSignInWithTheEmailedLink: an invitation emails a
// one-time link like `stockbell admin link` prints, made for that address;
// it signs the colleague in once.
func TestInvitedStaffSignInWithTheEmailedLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		owner := f.signIn(t, shop)
		token := owner.get("/admin/settings").csrf(t)
		wantStatus(t, owner.post("/admin/invite", url.Values{"email": {"colleague@example.com"}}), http.StatusForbidden, "inviting without CSRF")
		p := owner.post("/admin/invite", url.Values{"csrf_token": {token}, "email": {"Colleague@Example.com"}})
		wantStatus(t, p, http.StatusSeeOther, "inviting")
		if !strings.Contains(p.Header.Get("Location"), "invite_sent") {
			t.Fatalf("after inviting: %s", p.Header.Get("Location"))
		}
		sent, _, err := db.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
		if err != nil || len(sent) != 1 || sent[0].Recipient != "colleague@example.com" || !strings.Contains(sent[0].Subject, "bells.example") {
			t.Fatalf("invitation sent: %+v %v", sent, err)
		}
		link := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(sent[0].Text)
		if link == nil {
			t.Fatalf("no link in the invitation:\n%s", sent[0].Text)
		}
		colleague := f.browser(t)
		wantStatus(t, colleague.useLink(link[1]), http.StatusSeeOther, "the colleague signing in")
		if home := colleague.get("/admin"); !strings.Contains(home.Body, "colleague@example.com") {
			t.Errorf("the colleague's session does not name them:\n%.1500s", home.Body)
		}
		wantStatus(t, f.browser(t).useLink(link[1]), http.StatusUnauthorized, "the invitation's link a second time")
	})
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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
		settings := owner.get("/admin/settings")
		if want := "it works once, within " + stockbell.DurationWords(stockbell.SignInLinkTTL); !strings.Contains(settings.Body, want) {
			t.Errorf("the settings page's invitation does not say %q", want)
		}
		token := settings.csrf(t)
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

// TestInviteRefusalNamesTheAddressAndKeepsIt: an address that is not one,
// and an invitation past the day's limit, come back on the settings page
// with the reason beside the address field and the address as typed;
// nothing is sent.
func TestInviteRefusalNamesTheAddressAndKeepsIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		owner := f.signIn(t, shop)
		token := owner.get("/admin/settings").csrf(t)
		refused := owner.post("/admin/invite", url.Values{"csrf_token": {token}, "email": {"colleague@"}})
		wantStatus(t, refused, http.StatusUnprocessableEntity, "inviting a bad address")
		wantInviteRefusal(t, refused, "colleague@", `&#34;colleague@&#34; is not a valid email address`)
		if sent, _, err := db.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID}); err != nil || len(sent) != 0 {
			t.Fatalf("sent after a refused invitation: %+v %v", sent, err)
		}

		for i := range 20 {
			p := owner.post("/admin/invite", url.Values{"csrf_token": {token}, "email": {"colleague@example.com"}})
			wantStatus(t, p, http.StatusSeeOther, "invitation "+strconv.Itoa(i+1))
		}
		limited := owner.post("/admin/invite", url.Values{"csrf_token": {token}, "email": {"one.more@example.com"}})
		wantStatus(t, limited, http.StatusTooManyRequests, "the 21st invitation of the day")
		wantInviteRefusal(t, limited, "one.more@example.com", "Twenty invitations a day at most")
	})
}

// wantInviteRefusal checks the settings page shows why the invitation was
// refused beside its address field, which keeps what was typed.
func wantInviteRefusal(t *testing.T, p page, typed, reason string) {
	t.Helper()
	field := regexp.MustCompile(`<p class="field-error" id="invite-email-error">([^<]*)</p>\s*<input type="email" id="invite-email" name="email" value="([^"]*)"[^>]*aria-invalid="true"`).FindStringSubmatch(p.Body)
	if field == nil {
		t.Fatalf("no refusal beside the invitation's address field:\n%s", p.Body)
	}
	if !strings.Contains(field[1], reason) || field[2] != typed {
		t.Errorf("the refusal reads %q with %q in the field, want %q with %q", field[1], field[2], reason, typed)
	}
	if !strings.Contains(p.Body, `id="min_inventory"`) {
		t.Errorf("the refusal is not shown on the settings page:\n%.1500s", p.Body)
	}
}

// TestShopifyShopInviteIsRefused: an invitation posted for a Shopify shop
// (the Settings page offers none: its staff open Stockbell from the
// Shopify admin) is refused, 403, on the Settings page with a reason that
// says how Shopify staff get access, shown in the invite section (the
// page hides the invitation's form for such a shop); no sign-in link is
// emailed. A shop of another platform is still invited by email.
func TestShopifyShopInviteIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shopify := storetest.MustShop(t, db, stockbell.PlatformShopify, "bells.myshopify.com")
		owner := f.signIn(t, shopify) // an operator's one-time link: a cookie session
		refused := owner.post("/admin/invite", url.Values{"csrf_token": {owner.get("/admin/settings").csrf(t)}, "email": {"colleague@example.com"}})
		wantStatus(t, refused, http.StatusForbidden, "inviting to a Shopify shop")
		section := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="invite-heading">.*?</section>`).FindString(refused.Body)
		reason := regexp.MustCompile(`<p class="field-error" role="alert"[^>]*>([^<]*)</p>`).FindStringSubmatch(section)
		if reason == nil || !strings.Contains(reason[1], "Shopify admin") || !strings.Contains(reason[1], "Users") {
			t.Fatalf("the invite section does not say why and how Shopify staff get access:\n%s", section)
		}
		if strings.Contains(section, "<form") {
			t.Errorf("the refusal offers the invitation's form for a Shopify shop:\n%s", section)
		}
		if sent, _, err := db.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shopify.ID}); err != nil || len(sent) != 0 {
			t.Fatalf("sent after a refused invitation: %+v %v", sent, err)
		}

		feed := mustShop(t, db, "bells.example")
		other := f.signIn(t, feed)
		sent := other.post("/admin/invite", url.Values{"csrf_token": {other.get("/admin/settings").csrf(t)}, "email": {"colleague@example.com"}})
		wantStatus(t, sent, http.StatusSeeOther, "inviting to a feed shop")
	})
}

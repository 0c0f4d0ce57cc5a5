package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestSignInPageStatesTheLinksLifetime: a one-time link's page says the
// link works within SignInLinkTTL of being made, as the invitation and
// `admin link` do, not for that long from opening it.
func TestSignInPageStatesTheLinksLifetime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := f.browser(t).get(web.SignInPath + "?token=any")
		wantStatus(t, p, http.StatusOK, "a one-time link's page")
		want := "It works once, within " + stockbell.DurationWords(stockbell.SignInLinkTTL) + " of being made."
		if got := visibleText(p.Body); !strings.Contains(got, want) {
			t.Errorf("the sign-in page lacks %q:\n%s", want, got)
		}
	})
}

// TestRefusedLinkInDevelopmentLeadsToTheStartPage: on a development
// server, the page refusing an expired link (the start-up log's, opened
// too late) leads to the start page, which opens the demo shop's admin
// without a link. The refusal states the link's lifetime in words.
func TestRefusedLinkInDevelopmentLeadsToTheStartPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		token, _, err := db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(stockbell.SignInLinkTTL + time.Second)
		p := f.browser(t).useLink(token)
		wantStatus(t, p, http.StatusUnauthorized, "an expired link")
		if want := "it worked for " + stockbell.DurationWords(stockbell.SignInLinkTTL) + " after it was made"; !strings.Contains(p.Body, want) {
			t.Errorf("the expired link's page lacks %q:\n%s", want, visibleText(p.Body))
		}
		if !strings.Contains(p.Body, `the <a href="/">start page</a> opens the demo shop`) {
			t.Errorf("the refused link's page in development does not lead to the start page:\n%s", visibleText(p.Body))
		}
	})
}

package web

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestSessionDeciderNamesEachSignIn: the decision on a held batch records
// the person as each way of signing in names them, and the admin shows
// them by email where known; a sign-in that names no one is recorded as
// its way in, never as "you".
func TestSessionDeciderNamesEachSignIn(t *testing.T) {
	for _, c := range []struct {
		session AdminSession
		want    string
	}{
		{AdminSession{Door: DoorLink, User: stockbell.AdminUser{Email: "ana@example.com"}}, "ana@example.com"},
		{AdminSession{Door: CallbackDoor(stockbell.PlatformBigCommerce), User: stockbell.AdminUser{ID: "5150", Email: "clerk@example.com"}}, "clerk@example.com"},
		{AdminSession{Door: DoorShopify, User: stockbell.AdminUser{ID: "77"}}, "user 77"},
		{AdminSession{Door: DoorDemo, User: stockbell.AdminUser{Name: "Demo merchant", Email: "merchant@demo.stockbell.localhost"}}, "merchant@demo.stockbell.localhost"},
		{AdminSession{Door: DoorLink}, "someone signed in by a link made for no one named"},
		{AdminSession{Door: "install:" + string(stockbell.PlatformShopify)}, "the merchant who installed the app from Shopify"},
		{AdminSession{Door: ConnectDoor(stockbell.PlatformPrestaShop)}, "the merchant who connected the PrestaShop module"},
	} {
		by := sessionDecider(&c.session)
		if got := deciderWords(by); got != c.want {
			t.Errorf("a %s session's decision names %q, want %q", c.session.Door, got, c.want)
		}
		if c.session.User != (stockbell.AdminUser{}) && by != c.session.User {
			t.Errorf("a %s session's decision records %+v, want its user %+v", c.session.Door, by, c.session.User)
		}
	}
	if got := deciderWords(stockbell.AdminUser{}); got != "" {
		t.Errorf("a decision that names no one reads %q, want nothing", got)
	}
}

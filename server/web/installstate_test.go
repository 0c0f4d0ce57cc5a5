package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// issueState runs Issue and returns the nonce and the cookie it set.
func issueState(t *testing.T, s *StateStore, shop string) (string, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	nonce, err := s.Issue(rec, httptest.NewRequest("GET", "/auth/shopify", nil), shop)
	if err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || !cookies[0].Secure || cookies[0].Path != "/auth/" {
		t.Fatalf("state cookie %+v", cookies)
	}
	if strings.Contains(cookies[0].Value, nonce) || strings.Contains(cookies[0].Value, shop) {
		t.Fatal("the state cookie shows its nonce or shop in clear")
	}
	return nonce, cookies[0]
}

func verifyState(s *StateStore, cookie *http.Cookie, shop, state string) (error, []*http.Cookie) {
	req := httptest.NewRequest("GET", "/auth/shopify/callback", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	err := s.Verify(rec, req, shop, state)
	return err, rec.Result().Cookies()
}

func TestStateBindsNonceShopAndTime(t *testing.T) {
	clock := shopifytest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s, err := NewStateStore([]byte(strings.Repeat("s", 32)), clock, true)
	if err != nil {
		t.Fatal(err)
	}
	nonce, cookie := issueState(t, s, "a.myshopify.com")
	err, cleared := verifyState(s, cookie, "a.myshopify.com", nonce)
	if err != nil {
		t.Fatalf("matching state refused: %v", err)
	}
	if len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Errorf("Verify did not clear the cookie: %+v", cleared)
	}

	tampered := *cookie
	tampered.Value = cookie.Value[:len(cookie.Value)-2] + "xx"
	refusals := map[string]func() error{
		"no cookie":    func() error { err, _ := verifyState(s, nil, "a.myshopify.com", nonce); return err },
		"wrong nonce":  func() error { err, _ := verifyState(s, cookie, "a.myshopify.com", nonce+"x"); return err },
		"another shop": func() error { err, _ := verifyState(s, cookie, "b.myshopify.com", nonce); return err },
		"tampered":     func() error { err, _ := verifyState(s, &tampered, "a.myshopify.com", nonce); return err },
		"expired": func() error {
			clock.Advance(StateTTL + time.Second)
			err, _ := verifyState(s, cookie, "a.myshopify.com", nonce)
			return err
		},
	}
	for _, name := range []string{"no cookie", "wrong nonce", "another shop", "tampered", "expired"} {
		if err := refusals[name](); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want EUNAUTHORIZED", name, err)
		}
	}
	other, _ := NewStateStore([]byte(strings.Repeat("o", 32)), clock, true)
	if err, _ := verifyState(other, cookie, "a.myshopify.com", nonce); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		t.Errorf("a cookie from another server key was accepted: %v", err)
	}
}

package web_test

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// confirmPageIn sends method to link with the Accept-Language header and
// returns the status, the page's lang, heading and alert sentence.
func confirmPageIn(t *testing.T, method, link, acceptLanguage string) (status int, lang, heading, alert string) {
	t.Helper()
	req, _ := http.NewRequest(method, link, nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := html.UnescapeString(string(body))
	find := func(pattern string) string {
		if m := regexp.MustCompile(pattern).FindStringSubmatch(page); len(m) > 1 {
			return m[1]
		}
		return ""
	}
	return res.StatusCode, find(`<html lang="([^"]*)"`), find(`<h1>([^<]*)</h1>`), find(`<p role="alert">([^<]*)</p>`)
}

// TestConfirmPageSpeaksTheLanguageSignedUpIn: the page behind a
// confirmation link speaks the language of the message it came from (the
// subscription's locale, English for none), whatever the browser asks
// for: it quotes the request as it was sent, in that language.
func TestConfirmPageSpeaksTheLanguageSignedUpIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newOptin(t, db)
		_, french := fx.subscribeToAndAsk(t, stockbell.SubscriptionCreate{ShopID: fx.shop.ID, VariantID: fx.variant.ID, Phone: "+12015550124", Locale: "fr-CA"})
		_, none := fx.subscribeAndAsk(t, "+12015550123")
		for _, c := range []struct{ link, wantLang, wantHeading string }{
			{french, "fr", "Confirmez votre alerte"},
			{none, "en", "Confirm your alert"},
		} {
			status, lang, heading, _ := confirmPageIn(t, http.MethodGet, c.link, "de-DE, de;q=0.9, es;q=0.5")
			if status != http.StatusOK || lang != c.wantLang || heading != c.wantHeading {
				t.Errorf("%s: %d lang %q %q, want %s %q", c.link, status, lang, heading, c.wantLang, c.wantHeading)
			}
		}
	})
}

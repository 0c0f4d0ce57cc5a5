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

// TestConfirmPageRefusingAMethodSaysSo: a request the confirmation page
// does not take (a PUT, a DELETE) is answered 405 with a page saying, in
// the browser's language, that it cannot be done and how to confirm,
// not that the link is not valid or has expired: the link is fine.
func TestConfirmPageRefusingAMethodSaysSo(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	fx := newOptin(t, db)
	sub, link := fx.subscribeAndAsk(t, "+12015550123")
	for lang, want := range map[string]string{
		"en":              "This could not be done. Open the link in your message again and press Confirm.",
		"zh-CN, fr;q=0.9": "Cette action n'a pas pu être effectuée. Rouvrez le lien de votre message et appuyez sur Confirmer.",
		"de":              "Das hat nicht geklappt. Öffnen Sie den Link in Ihrer Nachricht erneut und tippen Sie auf Bestätigen.",
		"en;q=0.2, es-MX": "No se ha podido hacer. Vuelve a abrir el enlace de tu mensaje y pulsa Confirmar.",
	} {
		for _, method := range []string{http.MethodPut, http.MethodDelete} {
			status, _, _, alert := confirmPageIn(t, method, link, lang)
			if status != http.StatusMethodNotAllowed || alert != want {
				t.Errorf("%s %s: %d %q, want 405 %q", lang, method, status, alert, want)
			}
		}
	}
	if got := fx.status(t, sub.ID); got != stockbell.SubscriptionPending {
		t.Errorf("after refused requests the subscription is %s, want still pending", got)
	}
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

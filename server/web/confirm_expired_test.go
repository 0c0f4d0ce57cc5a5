package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestExpiredConfirmationLinkSaysHowToGetANewOne: a shopper who opens their
// confirmation link after its 7 days is not left with a "Confirm your
// alert" heading and nothing to press: the page says the link no longer
// works and how to get a new one, in their browser's language.
func TestExpiredConfirmationLinkSaysHowToGetANewOne(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	fx := newOptin(t, db)
	_, link := fx.subscribeAndAsk(t, "+12015550123")
	fx.clock.Add(stockbell.ConfirmationLinkValidity + time.Minute)
	for lang, want := range map[string]struct{ heading, renew string }{
		"en": {"Link not valid", "sign up again"},
		"fr": {"Lien non valide", "inscrivez-vous de nouveau"},
		"de": {"Link ungültig", "erneut an"},
		"es": {"Enlace no válido", "vuelve a suscribirte"},
	} {
		req, _ := http.NewRequest(http.MethodGet, link, nil)
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		heading := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(string(body))
		if res.StatusCode != http.StatusNotFound || len(heading) < 2 || heading[1] != want.heading || !strings.Contains(string(body), want.renew) {
			t.Errorf("%s: %d, heading %q; want 404 %q and how to get a new link (%q):\n%s", lang, res.StatusCode, heading, want.heading, want.renew, body)
		}
	}
}

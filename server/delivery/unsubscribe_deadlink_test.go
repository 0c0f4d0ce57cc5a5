package delivery_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUnsubscribeFailuresSayWhatIsWrong: an unsubscribe link never
// expires, so its page never says it may have: a garbled one (cut short by
// a mail client) says to check it was copied in full; one whose alert is
// gone says so; a form the page refuses (an alert not the contact's) does
// not call the link invalid. In each of the page's four languages.
func TestUnsubscribeFailuresSayWhatIsWrong(t *testing.T) {
	languages := []struct{ lang, garbled, gone, refused string }{
		{"en", "This link is not valid. Check that it was copied in full from your message.",
			"This link is no longer available: the alert it was for no longer exists.",
			"This could not be done. Open the link in your message again to see your alerts as they are now."},
		{"fr", "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier depuis votre message.",
			"Ce lien n'est plus disponible\u00a0: l'alerte à laquelle il menait n'existe plus.",
			"Cette action n'a pas pu être effectuée. Rouvrez le lien de votre message pour voir vos alertes telles qu'elles sont."},
		{"de", "Dieser Link ist ungültig. Prüfen Sie, ob er vollständig aus Ihrer Nachricht kopiert wurde.",
			"Dieser Link ist nicht mehr verfügbar: Die Benachrichtigung, zu der er gehörte, gibt es nicht mehr.",
			"Das hat nicht geklappt. Öffnen Sie den Link in Ihrer Nachricht erneut, um Ihre Benachrichtigungen im aktuellen Stand zu sehen."},
		{"es", "Este enlace no es válido. Comprueba que lo has copiado entero desde tu mensaje.",
			"Este enlace ya no está disponible: la alerta a la que correspondía ya no existe.",
			"No se ha podido hacer. Vuelve a abrir el enlace de tu mensaje para ver tus alertas tal como están ahora."},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		sub := w.subscribe(t, "A", "ana@example.com", "")
		link := w.sendEmail(t, sub)
		goneToken := newSigner(t).UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: sub.ID + 100, ShopID: w.shop.ID})
		garbled := link[:len(link)-6] // the end cut off, as a wrapped line in a mail client may
		for _, l := range languages {
			cases := []struct {
				what, method, link, form string
				status                   int
				want                     string
			}{
				{"a garbled link", http.MethodGet, garbled, "", http.StatusNotFound, l.garbled},
				{"a link whose alert is gone", http.MethodGet, w.public + "/unsubscribe/" + goneToken, "", http.StatusNotFound, l.gone},
				{"removing another contact's alert", http.MethodPost, link, url.Values{"remove": {"999999"}}.Encode(), http.StatusBadRequest, l.refused},
			}
			for _, c := range cases {
				status, page := fetchIn(t, c.method, c.link, c.form, l.lang)
				if status != c.status || !strings.Contains(page, c.want) || strings.Contains(page, "expire") || strings.Contains(page, "caducado") || strings.Contains(page, "abgelaufen") {
					t.Errorf("%s, %s: %d, want %d saying %q and nothing of expiry:\n%s", l.lang, c.what, status, c.status, c.want, page)
				}
			}
		}
	})
}

// fetchIn requests the page in lang (Accept-Language) and returns its
// status and its <main>, HTML entities read.
func fetchIn(t *testing.T, method, link, form, lang string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, link, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", lang)
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	_, main, _ := strings.Cut(string(body), "<main>")
	return resp.StatusCode, html.UnescapeString(main)
}

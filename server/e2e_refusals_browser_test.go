package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// teePage serves a product page in the language lang whose marked variant
// is the tee's sold-out M, loading the snippet from the real server at
// appURL with email and SMS offered.
func teePage(t *testing.T, appURL, lang string) string {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="test-shop.myshopify.com" data-channels="both" defer></script></head>
<body><h1>Tee</h1><div data-stockbell-variant="%s" data-stockbell-available="false" data-stockbell-name="Tee"></div></body></html>`, lang, appURL, teeSoldOut)
	}))
	t.Cleanup(page.Close)
	return page.URL
}

// submitRefused fills the open form with an email, or a phone number with
// the SMS consent, submits it and returns the status line's text and the
// language it is marked with once the server's refusal (the n-th
// stockbell:error) has arrived.
func submitRefused(t *testing.T, ctx context.Context, email, phone string, n int) (text, lang string) {
	t.Helper()
	browsertest.Eval[any](t, ctx, fmt.Sprintf(`(() => { field("email").value = %q; field("phone").value = %q;
		field("sms_consent").checked = %t; form().querySelector("button[type=submit]").click(); })()`, email, phone, phone != ""))
	browsertest.WaitFor(t, ctx, fmt.Sprintf(`events("error").length == %d`, n))
	return browsertest.Eval[string](t, ctx, `status().textContent`),
		browsertest.Eval[string](t, ctx, `status().getAttribute("lang") || ""`)
}

// A shopper on a French or a German page whose email address or phone
// number the real server refuses (an address without a domain the browser
// accepts, a landline), or whose variant came back in stock meanwhile,
// reads the refusal in the page's language, not the server's English.
func TestServerRefusalsInThePagesLanguage(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop := seedTee(t, m)
	ctx := browsertest.New(t)
	cases := []struct{ lang, email, phone, variant string }{
		{"fr", "Saisissez une adresse e-mail valide, comme nom@exemple.fr.",
			"Saisissez un numéro de mobile valide\u00a0: ce numéro ne peut pas recevoir de SMS.",
			"Cet article est de nouveau disponible ou ne prend plus d'alertes\u00a0: rechargez la page."},
		{"de", "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@beispiel.de.",
			"Geben Sie eine gültige Mobilnummer ein: An diese Nummer können keine SMS gesendet werden.",
			"Dieser Artikel ist wieder verfügbar oder nimmt keine Benachrichtigungen mehr an: Laden Sie die Seite neu."},
	}
	pages := map[string]string{}
	for _, c := range cases {
		pages[c.lang] = teePage(t, m.URL(), c.lang)
		t.Run(c.lang, func(t *testing.T) {
			browsertest.Open(t, ctx, pages[c.lang])
			browsertest.Click(t, ctx, `button()`)
			browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
			if got, lang := submitRefused(t, ctx, "shopper@localhost", "", 1); got != c.email || lang != c.lang {
				t.Errorf("refused email: status %q marked lang=%q, want %q marked %q", got, lang, c.email, c.lang)
			}
			// A Paris landline, which cannot receive text messages.
			if got, lang := submitRefused(t, ctx, "", "+33 1 42 68 53 00", 2); got != c.phone || lang != c.lang {
				t.Errorf("refused phone: status %q marked lang=%q, want %q marked %q", got, lang, c.phone, c.lang)
			}
			if got := browsertest.Eval[string](t, ctx, `events("error")[1].detail.message`); got == c.phone {
				t.Errorf("the stockbell:error event carries the translated text %q, want the server's message", got)
			}
		})
	}
	stockTee(t, m, shop, 2) // back in stock while the pages still mark it sold out
	for _, c := range cases {
		browsertest.Open(t, ctx, pages[c.lang])
		browsertest.Click(t, ctx, `button()`)
		browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
		if got, _ := submitRefused(t, ctx, "back@example.com", "", 1); got != c.variant {
			t.Errorf("%s: variant back in stock: status %q, want %q", c.lang, got, c.variant)
		}
	}
	if got := queuedEmails(t, m, shop); len(got) != 0 {
		t.Errorf("refused subscriptions were stored: %v", got)
	}
}

package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A refusal the form does not know by its code and field shows the
// server's message, marked as English (the server's language), on a French
// and a German page alike; a known one the theme words itself
// (data-text-invalid-email) shows the theme's text in the page's language.
func TestRefusalsTheFormDoesNotKnowShowTheServersMessage(t *testing.T) {
	ctx := newBrowser(t)
	cases := []struct{ name, lang, attrs, email, want, wantLang string }{
		{"unknown code, French page", "fr", "", "bounce@example.com", "This address cannot receive email.", "en"},
		{"unknown code, German page", "de", "", "bounce@example.com", "This address cannot receive email.", "en"},
		{"theme's text", "fr", `data-text-invalid-email="Adresse e-mail incorrecte."`, "shopper@localhost", "Adresse e-mail incorrecte.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStorefront(t, "")
			open(t, ctx, languagePage(t, s, `lang="`+c.lang+`"`, c.attrs))
			click(t, ctx, `button()`)
			waitFor(t, ctx, `dialog() && dialog().open`)
			do(t, ctx, chromedp.KeyEvent(c.email+"\r"))
			waitFor(t, ctx, `status().classList.contains("e")`)
			got := eval[[]string](t, ctx, `[status().textContent, status().getAttribute("lang") || "", field("email").getAttribute("aria-invalid") || ""]`)
			if got[0] != c.want || got[1] != c.wantLang || got[2] != "true" {
				t.Errorf("status %q marked lang=%q, email invalid %q; want %q marked %q, email invalid", got[0], got[1], got[2], c.want, c.wantLang)
			}
		})
	}
}

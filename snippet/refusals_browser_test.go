package snippet

import (
	"strings"
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

// The form's own checks, made before any request, speak the page's
// language too (not the browser's, whose validation messages follow its
// own): a missing email or phone, a malformed email and a phone without
// the SMS consent, on a French and a German page. The field at fault is
// marked invalid, described by the status line and focused.
func TestFormChecksSpeakThePagesLanguage(t *testing.T) {
	ctx := newBrowser(t)
	texts := map[string]struct{ missing, invalidEmail, invalidSmsConsent string }{
		"fr": {"Saisissez une adresse e-mail ou un numéro de téléphone.", "Saisissez une adresse e-mail valide, comme nom@exemple.fr.",
			"Cochez la case pour accepter de recevoir des SMS."},
		"de": {"Geben Sie eine E-Mail-Adresse oder Telefonnummer ein.", "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@beispiel.de.",
			"Setzen Sie das Häkchen, um SMS zu erhalten."},
	}
	for _, l := range []string{"fr", "de"} {
		cases := []struct{ name, attrs, typeIn, keys, want, field string }{
			{"no email", "", "", "\r", texts[l].missing, "email"},
			{"malformed email", "", "", "not-an-address\r", texts[l].invalidEmail, "email"},
			{"no phone", `data-channels="sms"`, "phone", "\r", texts[l].missing, "phone"},
			{"phone without consent", `data-channels="both"`, "phone", "612345678\r", texts[l].invalidSmsConsent, "sms_consent"},
		}
		for _, c := range cases {
			t.Run(l+" "+c.name, func(t *testing.T) {
				s := newStorefront(t, "")
				open(t, ctx, languagePage(t, s, `lang="`+l+`"`, c.attrs))
				click(t, ctx, `button()`)
				waitFor(t, ctx, `dialog() && dialog().open`)
				if c.typeIn != "" {
					click(t, ctx, `field("`+c.typeIn+`")`)
				}
				do(t, ctx, chromedp.KeyEvent(c.keys))
				waitFor(t, ctx, `status().classList.contains("e")`)
				got := eval[[]string](t, ctx, `[status().textContent, status().getAttribute("lang") || "", field("`+c.field+`").getAttribute("aria-invalid") || "",
					field("`+c.field+`").getAttribute("aria-describedby") || "", describe(active())]`)
				described := "m"
				if c.field == "phone" {
					described = "m nh" // the refusal, then the phone's hint
				}
				if want := []string{c.want, l, "true", described, c.field}; strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("status, its lang, the field's aria-invalid and aria-describedby, the focused element:\n got %q\nwant %q", got, want)
				}
				if len(s.posts()) != 0 {
					t.Error("the form posted what it refused")
				}
			})
		}
	}
}

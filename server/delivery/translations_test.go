package delivery_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// TestRenderStepTranslations: a step's texts for a language reach the
// subscribers of that language (fr-CA uses fr), others get the step's own
// texts, and a translation's empty field falls back to the step's.
func TestRenderStepTranslations(t *testing.T) {
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	step := stockbell.FlowStep{Channel: stockbell.ChannelEmail, Subject: "Back: {{.Variant.ProductTitle}}", Body: "It is back.",
		Translations: map[string]stockbell.StepText{"fr": {Subject: "De retour : {{.Variant.ProductTitle}}"}, "de": {Body: "Wieder da."}}}
	cases := []struct{ locale, subject, body string }{
		{"fr-CA", "De retour : Linen shirt", "It is back."},
		{"de", "Back: Linen shirt", "Wieder da."},
		{"en", "Back: Linen shirt", "It is back."},
	}
	for _, c := range cases {
		content := content(stockbell.ChannelEmail, "shopper@example.com", c.locale)
		content.Step = step
		out, err := tmpl.Render(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != c.subject || !strings.HasPrefix(out.Text, c.body) {
			t.Errorf("%s: subject %q, text %q", c.locale, out.Subject, out.Text)
		}
	}
}

package delivery_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// TestDefaultEmailNamesTheShopsCurrency: the default email, as the SMTP
// server receives it, writes the price with the shop's currency in both
// parts and in every built-in language, and bare when the shop's currency
// is unknown.
func TestDefaultEmailNamesTheShopsCurrency(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	labels := map[string]string{"en": "Price: 49.00 EUR", "fr": "Prix\u00a0: 49.00 EUR", "de": "Preis: 49.00 EUR", "es": "Precio: 49.00 EUR"}
	for locale, want := range labels {
		c := content(stockbell.ChannelEmail, locale+"@example.com", locale)
		c.Shop.Currency = "EUR"
		out, err := tmpl.Render(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sender.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		parts := mimeParts(t, got[len(got)-1].Parse(t))
		for _, ct := range []string{"text/plain", "text/html"} {
			if !strings.Contains(parts[ct], want) {
				t.Errorf("%s: the %s part lacks %q:\n%s", locale, ct, want, parts[ct])
			}
		}
	}
	out, err := tmpl.Render(ctx, content(stockbell.ChannelEmail, "shopper@example.com", "en"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, "Price: 49.00\n") {
		t.Errorf("a shop of unknown currency: want the bare price, got:\n%s", out.Text)
	}
}

// TestMerchantTemplateReadsTheCurrency: a flow step's own texts may use
// .Variant.Currency and .Variant.PriceWithCurrency; both pass validation
// and are listed among the fields.
func TestMerchantTemplateReadsTheCurrency(t *testing.T) {
	step := stockbell.FlowStep{Channel: stockbell.ChannelSMS,
		Body: "{{.Variant.ProductTitle}}: {{.Variant.PriceWithCurrency}} ({{.Variant.Price}} in {{.Variant.Currency}})"}
	if err := delivery.ValidateStep(step); err != nil {
		t.Fatalf("ValidateStep: %v", err)
	}
	c := content(stockbell.ChannelSMS, "+15551234567", "en")
	c.Shop.Currency, c.Step = "JPY", step
	c.Variant.Price = "1500"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Linen shirt: 1500.00 JPY (1500 in JPY)"; !strings.HasPrefix(out.Text, want) {
		t.Errorf("SMS = %q, want it to start with %q", out.Text, want)
	}
	fields := strings.Join(delivery.TemplateFields(), " ")
	for _, f := range []string{".Variant.Currency", ".Variant.PriceWithCurrency"} {
		if !strings.Contains(fields+" ", f+" ") {
			t.Errorf("TemplateFields lacks %s: %s", f, fields)
		}
	}
}

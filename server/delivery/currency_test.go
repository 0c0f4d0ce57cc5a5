package delivery_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// TestDefaultEmailNamesTheShopsCurrency: the default email, as the SMTP
// server receives it, writes the price in the shop's currency as readers
// of its language write amounts, in both parts and in every built-in
// language, and the bare number when the shop's currency is unknown.
func TestDefaultEmailNamesTheShopsCurrency(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	labels := map[string]string{"en": "Price: €49.00", "fr": "Prix\u00a0: 49,00\u00a0€", "de": "Preis: 49,00\u00a0€", "es": "Precio: 49,00\u00a0€"}
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
// and are listed among the fields. PriceWithCurrency is written for the
// reader (a yen price without decimals); Price and Currency stay as
// stored.
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
	if want := "Linen shirt: ¥1,500 (1500 in JPY)"; !strings.HasPrefix(out.Text, want) {
		t.Errorf("SMS = %q, want it to start with %q", out.Text, want)
	}
	fields := strings.Join(delivery.TemplateFields(), " ")
	for _, f := range []string{".Variant.Currency", ".Variant.PriceWithCurrency"} {
		if !strings.Contains(fields+" ", f+" ") {
			t.Errorf("TemplateFields lacks %s: %s", f, fields)
		}
	}
}

// TestTextWritesThePriceInGSM7: a French text's price, "49,00 €" in an
// email, is written with ordinary spaces (a no-break space is not in
// GSM-7 and would double the segments billed), and the euro sign keeps
// it GSM-7.
func TestTextWritesThePriceInGSM7(t *testing.T) {
	c := content(stockbell.ChannelSMS, "+33612345678", "fr")
	c.Shop.Currency = "EUR"
	c.Variant.Price = "1234.5"
	c.Step.Body = "{{.Variant.ProductTitle}} : {{.Variant.PriceWithCurrency}} {{.ShortURL}}"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Linen shirt : 1 234,50 € "; !strings.HasPrefix(out.Text, want) {
		t.Errorf("SMS = %q, want it to start with %q", out.Text, want)
	}
	if _, gsm := delivery.Segments(out.Text); !gsm {
		t.Errorf("SMS %q is not GSM-7", out.Text)
	}
}

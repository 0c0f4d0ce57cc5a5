package delivery

import (
	"fmt"
	"maps"
	"slices"

	stockbell "github.com/stockbell/stockbell"
)

// sampleData is a fully populated TemplateData: a template that renders
// with it renders with any real message.
func sampleData() *TemplateData {
	data := &TemplateData{
		Shop:       ShopData{Name: "Example Shop", URL: "https://shop.example"},
		Variant:    VariantData{ProductTitle: "Linen shirt", Title: "M / Blue", Price: "49.00", Currency: "EUR", PriceWithCurrency: "€49.00", ImageURL: "https://cdn.example/shirt.jpg", SKU: "SHIRT-M"},
		Contact:    ContactData{Email: "shopper@example.com", Phone: "+15551234567"},
		ProductURL: "https://shop.example/products/shirt?utm_source=stockbell", ShortURL: "https://bell.example/r/abc",
		UnsubscribeURL: "https://bell.example/unsubscribe/abc", Subject: "Linen shirt is back in stock",
		Preheader: "It can be ordered again.", Locale: "en", T: map[string]string{},
		CustomText: "Text", CustomParagraphs: []string{"Text"},
	}
	for name, tmpl := range parsePhrases(locales["en"]) {
		data.T[name], _ = runText(tmpl, data)
	}
	return data
}

// ValidateStep checks a flow step's templates as Render uses them: Subject,
// Preheader and Body with text/template, HTML with html/template, each
// parsed and rendered against sample data, and the same texts of each of
// its translations. Returns EINVALID naming the field (subject, preheader,
// body or html, or translations.fr.subject and so on) so the merchant
// learns of a broken template when saving it, not when it is sent.
func ValidateStep(step stockbell.FlowStep) error {
	data := sampleData()
	if err := validateTexts(stockbell.StepText{Subject: step.Subject, Preheader: step.Preheader, Body: step.Body, HTML: step.HTML}, data); err != nil {
		return err
	}
	codes := slices.Sorted(maps.Keys(step.Translations))
	for _, code := range codes {
		if err := validateTexts(step.Translations[code], data); err != nil {
			field := "translations." + code + "." + stockbell.ErrorField(err)
			return stockbell.FieldErrorf(field, "%s", stockbell.ErrorMessage(err))
		}
	}
	return nil
}

// validateTexts renders one language's texts of a step against data.
func validateTexts(texts stockbell.StepText, data *TemplateData) error {
	t := &Templates{}
	fields := []struct{ name, src string }{{"subject", texts.Subject}, {"preheader", texts.Preheader}, {"body", texts.Body}}
	for _, f := range fields {
		if f.src == "" {
			continue
		}
		if _, err := t.execText(f.name, f.src, data); err != nil {
			return err
		}
	}
	if texts.HTML != "" {
		if _, err := t.execHTML("html", texts.HTML, data); err != nil {
			return err
		}
	}
	return nil
}

// ValidateFlow checks the templates of every step; the error's field is
// steps[i].subject and so on.
func ValidateFlow(flow *stockbell.Flow) error {
	for i, step := range flow.Steps {
		if err := ValidateStep(step); err != nil {
			field := fmt.Sprintf("steps[%d].%s", i, stockbell.ErrorField(err))
			return stockbell.FieldErrorf(field, "%s", stockbell.ErrorMessage(err))
		}
	}
	return nil
}

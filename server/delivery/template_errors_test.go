package delivery_test

import (
	"os"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// TestValidateStepWordsErrorsForMerchants: a text that cannot be rendered
// is explained in the merchant's words (what it uses, what does not exist,
// what may be used), never with the Go types behind the templates.
func TestValidateStepWordsErrorsForMerchants(t *testing.T) {
	cases := []struct {
		step stockbell.FlowStep
		want []string
	}{
		{stockbell.FlowStep{Subject: "{{.NoSuchField}}"}, []string{"{{.NoSuchField}}", "no field NoSuchField", ".Variant.ProductTitle", ".Shop.Name", ".ShortURL"}},
		{stockbell.FlowStep{Body: "Hi\n{{.Variant.Colour}}"}, []string{"{{.Variant.Colour}}", "line 2", ".Variant has no field Colour", ".Variant.SKU"}},
		{stockbell.FlowStep{HTML: "<p>{{.Shop.Nme}}</p>"}, []string{"{{.Shop.Nme}}", ".Shop has no field Nme", ".Shop.Name", ".Shop.URL"}},
		{stockbell.FlowStep{Body: "{{with .Contact}}{{.Mail}}{{end}}"}, []string{"{{.Mail}}", ".Contact has no field Mail", ".Contact.Email"}},
		{stockbell.FlowStep{Preheader: "{{.T.Hello}}"}, []string{"{{.T.Hello}}", "no phrase Hello", ".T.Intro"}},
		{stockbell.FlowStep{Body: "{{.Variant.Title.X}}"}, []string{"{{.Variant.Title.X}}", "no field X"}},
		{stockbell.FlowStep{Body: "{{range .Variant}}{{end}}"}, []string{"{{range .Variant}}", "not a list"}},
		{stockbell.FlowStep{Body: "{{len .Variant}}"}, []string{"len .Variant"}},
		{stockbell.FlowStep{Body: "{{call .Shop}}"}, []string{"call .Shop"}},
		{stockbell.FlowStep{HTML: "<a href=\"{{.ProductURL}}"}, []string{"not closed"}},
	}
	for _, c := range cases {
		err := delivery.ValidateStep(c.step)
		msg := stockbell.ErrorMessage(err)
		if stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", c.step, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%+v: message %q does not say %q", c.step, msg, w)
			}
		}
		for _, internal := range []string{"delivery.", "TemplateData", "VariantData", "ShopData", "ContactData", "executing", "%!", "<nil>", "{ }", "state"} {
			if strings.Contains(msg, internal) {
				t.Errorf("%+v: message %q shows %q", c.step, msg, internal)
			}
		}
	}
}

// TestTemplateFieldsAreDocumentedAndRender: every field the messages name
// as usable renders, and docs/delivery.md lists it.
func TestTemplateFieldsAreDocumentedAndRender(t *testing.T) {
	doc, err := os.ReadFile("../../docs/delivery.md")
	if err != nil {
		t.Fatal(err)
	}
	fields := delivery.TemplateFields()
	if len(fields) < 10 {
		t.Fatalf("fields %v", fields)
	}
	for _, f := range fields {
		if err := delivery.ValidateStep(stockbell.FlowStep{Body: "{{" + f + "}}"}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(string(doc), "`"+f) {
			t.Errorf("docs/delivery.md does not list %s", f)
		}
	}
}

package delivery

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"strings"
	"testing"
	texttemplate "text/template"

	stockbell "github.com/stockbell/stockbell"
)

// TestDefaultLayoutsAreKept: both default layouts qualify for being
// rendered once for a job's messages, so the saving is not lost
// unnoticed by an edit of a layout.
func TestDefaultLayoutsAreKept(t *testing.T) {
	tmpl := NewTemplates(nil, StopAlways)
	if !tmpl.htmlLayout.keeps || !tmpl.textLayout.keeps {
		t.Fatalf("default layouts kept: HTML %v, text %v", tmpl.htmlLayout.keeps, tmpl.textLayout.keeps)
	}
	for lang := range locales {
		if !tmpl.defaultEmailReadsShared[lang] {
			t.Errorf("%s: an email of the default layouts should read only the shared phrases", lang)
		}
	}
	want := []string{"Button", "Colon", "Heading", "Intro", "Price", "Unsubscribe", "Why"}
	if !reflect.DeepEqual(tmpl.htmlLayout.phrases, want) || !reflect.DeepEqual(tmpl.textLayout.phrases, want) {
		t.Errorf("phrases read: HTML %v, text %v; want %v", tmpl.htmlLayout.phrases, tmpl.textLayout.phrases, want)
	}
}

// TestLayoutsKeptOnlyWhenTheLinksAreTheOnlyDifference: a layout is kept
// only when everything it reads but the two links is in its key, and each
// link is written whole where html/template escapes it as an href value.
func TestLayoutsKeptOnlyWhenTheLinksAreTheOnlyDifference(t *testing.T) {
	html := map[string]bool{
		`<a href="{{.ProductURL}}">{{.T.Button}}</a>`:                        true,
		`{{with .Variant.ImageURL}}<a href="{{$.ProductURL}}">x</a>{{end}}`:  true,
		`{{range .CustomParagraphs}}<p>{{.}}</p>{{end}}{{.Shop.Name}}`:       true,
		`<p>{{.ProductURL}}</p>`:                                             false, // escaped as text, not as a link
		`<a href="/go?to={{.ProductURL}}">x</a>`:                             false, // escaped as a query value
		`<a href="{{.UnsubscribeURL}}#x">x</a>`:                              true,
		`<a title="{{.UnsubscribeURL}}">x</a>`:                               false,
		`<a href="{{.Contact.Email}}">x</a>`:                                 false,
		`{{if .ProductURL}}x{{end}}`:                                         false,
		`{{.ShortURL}}`:                                                      false,
		`{{.T}}`:                                                             false,
		`{{index .T "Heading"}}`:                                             false,
		`{{$u := .ProductURL}}<a href="{{$u}}">x</a>`:                        false,
		`{{with .Shop}}<a href="{{.URL}}">{{$.Variant.Title}}</a>{{end}}`:    true,
		`{{with .Shop}}<a href="{{$.Contact.Phone}}">{{.Name}}</a>{{end}}`:   false,
		`{{define "x"}}{{.ProductURL}}{{end}}{{template "x" .}}`:             false,
		`<a href="{{.ProductURL | printf "%s"}}">x</a>`:                      false,
		`<script>var u = "{{.ProductURL}}";</script>`:                        false,
		`<a href='{{.ProductURL}}'>x</a><a href="{{.UnsubscribeURL}}">y</a>`: true,
	}
	for src, want := range html {
		tmpl := htmltemplate.Must(htmltemplate.New("t").Parse(src))
		if got := newHTMLLayout(tmpl, nil).keeps; got != want {
			t.Errorf("HTML %s kept: %v, want %v", src, got, want)
		}
	}
	text := map[string]bool{
		`{{.T.Button}}: {{.ProductURL}}`:      true,
		`{{.ProductURL | printf "%q"}}`:       false,
		`{{printf "%s" .UnsubscribeURL}}`:     false,
		`{{.Contact.Email}}`:                  false,
		`{{with .Variant.Price}}{{.}}{{end}}`: true,
	}
	for src, want := range text {
		tmpl := texttemplate.Must(texttemplate.New("t").Parse(src))
		if got := newTextLayout(tmpl.Tree, nil).keeps; got != want {
			t.Errorf("text %s kept: %v, want %v", src, got, want)
		}
	}
}

// TestKeptLayoutsWriteEveryMessageAsRenderedAlone: the messages of jobs
// (several subscribers, languages, steps, a variant whose link needs
// escaping, a merchant's own subject, body and HTML) come out byte for byte
// as each message rendered alone, while the layouts are rendered fewer
// times than there are messages.
func TestKeptLayoutsWriteEveryMessageAsRenderedAlone(t *testing.T) {
	signer, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	links := NewLinks("https://bell.test/", signer)
	kept, alone := NewTemplates(links, StopNorthAmerica), NewTemplates(links, StopNorthAmerica)
	alone.htmlLayout.keeps, alone.textLayout.keeps = false, false
	messages := 0
	for _, variant := range layoutTestVariants() {
		for _, step := range layoutTestSteps() {
			for _, locale := range []string{"en", "fr-CA", "de", "es", "pt-BR"} {
				for subscriber := range 3 {
					c := layoutTestContent(variant, step, locale, int64(subscriber))
					got, err := kept.Render(context.Background(), c)
					if err != nil {
						t.Fatal(err)
					}
					want, err := alone.Render(context.Background(), c)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s, step %+v, subscriber %d: kept layout gives\n%+v\nrendered alone:\n%+v", locale, step, subscriber, got, want)
					}
					messages++
				}
			}
		}
	}
	if n := kept.htmlLayout.size.Load(); n == 0 || n >= int64(messages) {
		t.Errorf("HTML layout rendered %d times for %d messages", n, messages)
	}
	job := NewTemplates(links, StopNorthAmerica)
	for subscriber := range 10 {
		c := layoutTestContent(layoutTestVariants()[1], layoutTestSteps()[0], "fr", int64(2*subscriber))
		if _, err := job.Render(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if h, x := job.htmlLayout.size.Load(), job.textLayout.size.Load(); h != 1 || x != 1 {
		t.Errorf("one job's 10 messages rendered the HTML layout %d times and the text one %d times, want once", h, x)
	}
}

func layoutTestVariants() []*stockbell.VariantWithProduct {
	plain := &stockbell.VariantWithProduct{
		Variant: stockbell.Variant{ID: 11, ShopID: 7, Title: "M / Blue", Price: "49.00",
			URL: "https://atelier.example/products/linen-shirt?variant=4411", ImageURL: "https://cdn.example/shirt-blue.jpg"},
		ProductTitle: "Linen shirt", Published: true,
	}
	odd := &stockbell.VariantWithProduct{
		Variant: stockbell.Variant{ID: 12, ShopID: 7, Title: "Default Title",
			URL: "https://atelier.example/products/été d'or?a=1+2&b=<x>\"y\"#frag"},
		ProductTitle: `Robe "d'été" <légère> & co`, Published: true,
	}
	repriced := *plain // another variant of the product: the same subject
	repriced.ID, repriced.Price, repriced.ImageURL = 13, "59.00", "https://cdn.example/shirt-red.jpg"
	return []*stockbell.VariantWithProduct{plain, &repriced, odd}
}

func layoutTestSteps() []stockbell.FlowStep {
	return []stockbell.FlowStep{
		{Channel: stockbell.ChannelEmail},
		{Channel: stockbell.ChannelEmail, Subject: "{{.Contact.Email}}, {{.Variant.ProductTitle}} is back",
			Body: "Hello {{.Contact.Email}}!\n\nSee {{.ProductURL}}.\n\n{{.Shop.Name}}"},
		{Channel: stockbell.ChannelEmail, Body: "Hello {{.Contact.Email}}!\n\n{{.Variant.ProductTitle}} is back."},
		{Channel: stockbell.ChannelEmail, Body: "{{.T.Intro}}\n\n{{.T.SMS}}"}, // a step's own template sees every phrase
		{Channel: stockbell.ChannelEmail, Preheader: "For {{.Contact.Email}}",
			HTML:         `<p>{{.Subject}}</p><a href="{{.ProductURL}}">{{.T.Button}}</a> <a href="{{.UnsubscribeURL}}">x</a>`,
			Translations: map[string]stockbell.StepText{"fr": {Subject: "{{.Variant.ProductTitle}} est là"}}},
	}
}

func layoutTestContent(variant *stockbell.VariantWithProduct, step stockbell.FlowStep, locale string, subscriber int64) stockbell.MessageContent {
	shop := &stockbell.Shop{ID: 7, Name: "Atelier Nord", Domain: "atelier-nord.myshopify.com", PrimaryDomain: "atelier.example", Status: stockbell.ShopInstalled}
	email := fmt.Sprintf("o'brien+%d@example.com", subscriber)
	sub := &stockbell.Subscription{ID: 100 + subscriber, ShopID: 7, VariantID: variant.ID, Channels: stockbell.Channels{stockbell.ChannelEmail},
		Locale: locale, Email: email, Status: stockbell.SubscriptionNotified}
	msg := &stockbell.Message{ID: 1000 + subscriber, ShopID: 7, SubscriptionID: sub.ID, Step: 1 + int(subscriber%2), Channel: stockbell.ChannelEmail,
		Recipient: email, Status: stockbell.MessagePending}
	return stockbell.MessageContent{Shop: shop, Variant: variant, Subscription: sub, Message: msg, Step: step}
}

// TestPlainHrefLink: a link written without the template is written as
// html/template writes it.
func TestPlainHrefLink(t *testing.T) {
	links := []string{
		"https://atelier.example/products/linen-shirt?variant=4411&utm_source=stockbell&utm_medium=email&sb_click=AbC-_9",
		"https://bell.test/unsubscribe/eyJz.a-b_c~d", "http://x.example/a+b;c,d@e!f$g*h:i#frag",
		"https://x.example/%C3%A9t%c3%a9?q=%2B", "https://x.example/100%", "https://x.example/%zz", "https://x.example/%4",
		"https://x.example/it's", "https://x.example/a b", "https://x.example/<x>", `https://x.example/"q"`, "https://x.example/[::1]",
		"https://x.example/été", "https://x.example/(x)", "javascript:alert(1)", "JavaScript://x.example", "HTTPS://x.example",
		"/relative?a=1&b=2", "mailto:a@example.com", "https://x.example/\x00", "https://x.example/\t",
	}
	plain := 0
	for _, link := range links {
		var b bytes.Buffer
		if err := hrefTemplate.Execute(&b, link); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(strings.TrimPrefix(b.String(), hrefBefore), hrefAfter)
		if got, ok := plainHrefLink(link); ok {
			plain++
			if got != want {
				t.Errorf("plainHrefLink(%q) = %q, html/template writes %q", link, got, want)
			}
		}
		if got := hrefLink(link); got != want {
			t.Errorf("hrefLink(%q) = %q, html/template writes %q", link, got, want)
		}
	}
	if plain < 4 {
		t.Errorf("only %d links written without the template", plain)
	}
}

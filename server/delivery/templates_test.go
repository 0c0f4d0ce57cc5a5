package delivery_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

func newTemplates(t testing.TB, stop delivery.StopPolicy) *delivery.Templates {
	t.Helper()
	return delivery.NewTemplates(delivery.NewLinks("https://bell.test/", newSigner(t)), stop)
}

func TestRenderDefaultsPerLocale(t *testing.T) {
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	cases := []struct{ locale, subject, text string }{
		{"en", "Linen shirt is back in stock", "is back in stock at Atelier Nord"},
		{"fr-CA", "Linen shirt est de nouveau en stock", "est de nouveau en stock chez Atelier Nord"},
		{"de_DE", "Linen shirt ist wieder vorrätig", "ist bei Atelier Nord wieder vorrätig"},
		{"es", "Linen shirt vuelve a estar disponible", "vuelve a estar disponible en Atelier Nord"},
		{"pt-BR", "Linen shirt is back in stock", "is back in stock at Atelier Nord"}, // falls back to English
		{"", "Linen shirt is back in stock", "is back in stock at Atelier Nord"},
	}
	for _, c := range cases {
		out, err := tmpl.Render(ctx, content(stockbell.ChannelEmail, "shopper@example.com", c.locale))
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != c.subject || !strings.Contains(out.Text, c.text) || !strings.Contains(out.HTML, c.text) {
			t.Errorf("%q: subject %q, text:\n%s", c.locale, out.Subject, out.Text)
		}
		if out.Preheader == "" || !strings.Contains(out.HTML, html.EscapeString(out.Preheader)) {
			t.Errorf("%q: preheader %q missing from the HTML", c.locale, out.Preheader)
		}
	}
}

func TestRenderEmailVariablesAndLinks(t *testing.T) {
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, content(stockbell.ChannelEmail, "shopper@example.com", "en"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Linen shirt (M / Blue)", "Price: 49.00", "https://bell.test/unsubscribe/"} {
		if !strings.Contains(out.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, out.Text)
		}
	}
	link := out.Text[strings.Index(out.Text, "https://atelier.example/products/"):]
	link = link[:strings.IndexAny(link, " \n")]
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("variant") != "4411" || q.Get("utm_source") != "stockbell" || q.Get("utm_medium") != "email" ||
		q.Get("utm_campaign") != "back_in_stock" || q.Get("sb_click") == "" {
		t.Errorf("product link %s lacks its variant or tracking parameters", link)
	}
	if id, err := newSigner(t).ParseLinkCode(q.Get("sb_click")); err != nil || id != 42 {
		t.Errorf("click id %q decodes to %d, %v; want message 42", q.Get("sb_click"), id, err)
	}
	if out.Headers["List-Unsubscribe"] != "<"+out.Text[strings.Index(out.Text, "https://bell.test/unsubscribe/"):strings.LastIndex(out.Text, "\n")]+">" {
		t.Errorf("List-Unsubscribe %q differs from the body's link", out.Headers["List-Unsubscribe"])
	}
	if out.FromName != "Atelier Nord" || out.To != "shopper@example.com" || out.MessageID != 42 {
		t.Errorf("envelope %+v", out)
	}
}

func TestRenderEscapesHTMLAndHidesDefaultTitle(t *testing.T) {
	c := content(stockbell.ChannelEmail, "shopper@example.com", "en")
	c.Variant.ProductTitle = `<script>alert("x")</script> Tee`
	c.Variant.Title = "Default Title"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script>") || !strings.Contains(out.HTML, "&lt;script&gt;") {
		t.Errorf("product title not escaped in HTML:\n%s", out.HTML)
	}
	if strings.Contains(out.Text, "Default Title") || strings.Contains(out.HTML, "Default Title") {
		t.Error("Shopify's placeholder variant title is shown")
	}
}

func TestRenderStepOverrides(t *testing.T) {
	c := content(stockbell.ChannelEmail, "shopper@example.com", "fr")
	c.Step.Subject = "{{.Variant.ProductTitle}} : c'est reparti chez {{.Shop.Name}}"
	c.Step.Preheader = "Vite, {{.Contact.Email}}"
	c.Step.Body = "Bonjour !\n\nVotre {{.Variant.ProductTitle}} vous attend : {{.ProductURL}}"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "Linen shirt : c'est reparti chez Atelier Nord" || out.Preheader != "Vite, shopper@example.com" {
		t.Errorf("subject %q, preheader %q", out.Subject, out.Preheader)
	}
	if !strings.HasPrefix(out.Text, "Bonjour !\n\nVotre Linen shirt vous attend : https://atelier.example/") || !strings.Contains(out.Text, "/unsubscribe/") {
		t.Errorf("text part:\n%s", out.Text)
	}
	if !strings.Contains(out.HTML, "<p style=\"margin:0 0 12px\">Bonjour !</p>") || strings.Contains(out.HTML, "est de nouveau en stock chez") {
		t.Errorf("HTML part should carry the custom paragraphs in the default layout:\n%s", out.HTML)
	}
	c.Step.HTML = `<p>{{.Variant.ProductTitle}} <a href="{{.UnsubscribeURL}}">stop</a></p>`
	out, err = newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || !strings.HasPrefix(out.HTML, "<p>Linen shirt <a href=\"https://bell.test/unsubscribe/") {
		t.Errorf("custom HTML: %v\n%s", err, out.HTML)
	}
}

func TestRenderReminderSubject(t *testing.T) {
	c := content(stockbell.ChannelEmail, "shopper@example.com", "en")
	c.Message.Step = 2
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || out.Subject != "Still available: Linen shirt" {
		t.Fatalf("reminder subject %q, %v", out.Subject, err)
	}
}

func TestRenderBrokenStepTemplateIsPermanent(t *testing.T) {
	c := content(stockbell.ChannelEmail, "shopper@example.com", "en")
	c.Step.Subject = "{{.Variant.NoSuchField}}"
	_, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	wantCode(t, err, stockbell.EINVALID)
	if stockbell.ErrorField(err) != "subject" {
		t.Fatalf("field = %q, want subject", stockbell.ErrorField(err))
	}
}

func TestValidateStep(t *testing.T) {
	cases := []struct {
		step  stockbell.FlowStep
		field string // "" for valid
	}{
		{stockbell.FlowStep{}, ""},
		{stockbell.FlowStep{Subject: "{{.Variant.ProductTitle}} is back", Preheader: "Hi {{.Contact.Email}}",
			Body: "{{.T.Intro}} {{.ShortURL}}", HTML: "<a href=\"{{.ProductURL}}\">{{.Variant.Title}}</a>"}, ""},
		{stockbell.FlowStep{Subject: "{{.Variant.ProductTitle"}, "subject"},
		{stockbell.FlowStep{Preheader: "{{.Nope}}"}, "preheader"},
		{stockbell.FlowStep{Body: "{{range .Variant}}{{end}}"}, "body"},
		{stockbell.FlowStep{HTML: "<a href=\"{{.ProductURL}}\">{{end}}</a>"}, "html"},
		{stockbell.FlowStep{HTML: "{{.Shop.SealedToken}}"}, "html"}, // secrets are not reachable
	}
	for _, c := range cases {
		err := delivery.ValidateStep(c.step)
		if c.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.step, err)
			}
			continue
		}
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != c.field {
			t.Errorf("%+v: error %v, want EINVALID on %s", c.step, err, c.field)
		}
	}
	flow, _ := stockbell.FlowFromTemplate(1, stockbell.TemplateEmailThenSMS)
	if err := delivery.ValidateFlow(flow); err != nil {
		t.Fatalf("library flow: %v", err)
	}
	flow.Steps[1].Body = "{{.Oops}}"
	if err := delivery.ValidateFlow(flow); stockbell.ErrorField(err) != "steps[1].body" {
		t.Fatalf("ValidateFlow field = %q (%v), want steps[1].body", stockbell.ErrorField(err), err)
	}
}

func TestRenderSMS(t *testing.T) {
	cases := []struct {
		to       string
		stop     delivery.StopPolicy
		wantStop bool
	}{
		{"+15145550123", delivery.StopNorthAmerica, true},
		{"+447700900123", delivery.StopNorthAmerica, false},
		{"+447700900123", delivery.StopAlways, true},
	}
	for _, c := range cases {
		out, err := newTemplates(t, c.stop).Render(ctx, content(stockbell.ChannelSMS, c.to, "en"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.Text, "Atelier Nord: Linen shirt (M / Blue) is back in stock. https://bell.test/r/") {
			t.Errorf("SMS text %q", out.Text)
		}
		if got := strings.HasSuffix(out.Text, " Reply STOP to opt out."); got != c.wantStop {
			t.Errorf("%s with %s: STOP wording %v, want %v: %q", c.to, c.stop, got, c.wantStop, out.Text)
		}
		if out.HTML != "" || out.Subject != "" || len(out.Headers) != 0 {
			t.Errorf("SMS carries email parts: %+v", out)
		}
	}
	c := content(stockbell.ChannelSMS, "+15145550123", "fr")
	c.Step.Body = "{{.Shop.Name}} : {{.ShortURL}} (STOP pour arrêter)"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || strings.Count(out.Text, "STOP") != 1 {
		t.Fatalf("custom SMS with its own STOP wording got another: %q (%v)", out.Text, err)
	}
}

// TestSMSStopWordingDespiteANameWithStop: a shop or product whose name
// contains "stop" does not stand for the opt-out wording a +1 number must
// get; only a body the merchant wrote with STOP in it does.
func TestSMSStopWordingDespiteANameWithStop(t *testing.T) {
	c := content(stockbell.ChannelSMS, "+15145550123", "en")
	c.Shop.Name, c.Variant.ProductTitle = "Stop & Shop", "Stopwatch"
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || !strings.HasSuffix(out.Text, " Reply STOP to opt out.") {
		t.Fatalf("default SMS for a shop named %q: %q (%v), want the STOP wording", c.Shop.Name, out.Text, err)
	}
	c.Step.Body = "{{.Variant.ProductTitle}} is back: {{.ShortURL}}"
	out, err = newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || !strings.HasSuffix(out.Text, " Reply STOP to opt out.") {
		t.Fatalf("custom SMS without STOP for a product named %q: %q (%v), want the STOP wording", c.Variant.ProductTitle, out.Text, err)
	}
	c.Step.Body = "{{.Variant.ProductTitle}} is back: {{.ShortURL}} {{.T.Stop}}"
	out, err = newTemplates(t, delivery.StopNorthAmerica).Render(ctx, c)
	if err != nil || strings.Count(out.Text, "Reply STOP to opt out.") != 1 {
		t.Fatalf("custom SMS with the STOP wording got it again: %q (%v)", out.Text, err)
	}
}

func TestSegments(t *testing.T) {
	cases := []struct {
		text     string
		segments int
		gsm      bool
	}{
		{"", 1, true},
		{strings.Repeat("a", 160), 1, true},
		{strings.Repeat("a", 161), 2, true},
		{strings.Repeat("a", 306), 2, true},
		{strings.Repeat("a", 307), 3, true},
		{strings.Repeat("€", 80), 1, true},                                 // extension table: 2 septets each
		{strings.Repeat("€", 81), 2, true},                                 // 162 septets
		{strings.Repeat("a", 152) + "€" + strings.Repeat("a", 7), 2, true}, // the escape pair moves whole to part 2
		{"Café à 10€ — enfin", 1, false},                                   // the em dash is not GSM-7
		{strings.Repeat("é", 160), 1, true},                                // é is in the basic table
		{strings.Repeat("ç", 70), 1, false},                                // ç (lower case) is not
		{strings.Repeat("ç", 71), 2, false},
		{strings.Repeat("ç", 134), 2, false},
		{strings.Repeat("ç", 135), 3, false},
		{strings.Repeat("😀", 35), 1, false}, // a surrogate pair counts two
		{strings.Repeat("😀", 36), 2, false},
	}
	for _, c := range cases {
		segments, gsm := delivery.Segments(c.text)
		if segments != c.segments || gsm != c.gsm {
			t.Errorf("Segments(%.20q… len %d) = %d, %v; want %d, %v", c.text, len([]rune(c.text)), segments, gsm, c.segments, c.gsm)
		}
	}
}

func TestSignerTokens(t *testing.T) {
	s := newSigner(t)
	tok := s.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 1 << 40, ShopID: 3})
	got, err := s.ParseUnsubscribeToken(tok)
	if err != nil || got != (delivery.UnsubscribeToken{SubscriptionID: 1 << 40, ShopID: 3}) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	other, _ := delivery.NewSigner([]byte("another key of thirty-two bytes!"))
	flipped := []byte(tok)
	flipped[len(tok)/2] ^= 'A' ^ 'B' // another base64 letter in the MAC or payload
	forged := []string{string(flipped), tok[1:], "", "!!!",
		other.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 1 << 40, ShopID: 3}), s.LinkCode(5)}
	for _, f := range forged {
		if _, err := s.ParseUnsubscribeToken(f); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("token %q accepted (%v)", f, err)
		}
	}
	code := s.LinkCode(123456)
	if id, err := s.ParseLinkCode(code); err != nil || id != 123456 || len(code) > 12 {
		t.Fatalf("link code %q: %d, %v", code, id, err)
	}
	if _, err := s.ParseLinkCode(tok); err == nil {
		t.Fatal("an unsubscribe token passed as a link code")
	}
	if _, err := delivery.NewSigner([]byte("short")); stockbell.ErrorField(err) != "key" {
		t.Fatalf("short key: %v", err)
	}
}

// TestLibraryFlowsSpeakTheSubscribersLanguage renders every step of every
// library flow for a French subscriber: none may fall back to English.
func TestLibraryFlowsSpeakTheSubscribersLanguage(t *testing.T) {
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	for _, name := range stockbell.FlowTemplates() {
		flow, err := stockbell.FlowFromTemplate(7, name)
		if err != nil {
			t.Fatal(err)
		}
		for i, step := range flow.Steps {
			c := content(step.Channel, "+33612345678", "fr")
			if step.Channel == stockbell.ChannelEmail {
				c = content(step.Channel, "shopper@example.com", "fr")
			}
			c.Step, c.Message.Step = step, i+1
			out, err := tmpl.Render(ctx, c)
			if err != nil {
				t.Fatalf("%s step %d: %v", name, i+1, err)
			}
			if strings.Contains(out.Subject+out.Text, "back in stock") || strings.Contains(out.Subject, "Still available") {
				t.Errorf("%s step %d speaks English to a French subscriber: %q / %q", name, i+1, out.Subject, out.Text)
			}
		}
	}
}

// TestRenderKeepsWordingPerShopAndVariant: the wording kept from one
// message is never another shop's or variant's, and each SMS gets its own
// short link.
func TestRenderKeepsWordingPerShopAndVariant(t *testing.T) {
	tmpl := newTemplates(t, delivery.StopNorthAmerica)
	first, other := content(stockbell.ChannelEmail, "a@example.com", "en"), content(stockbell.ChannelEmail, "b@example.com", "en")
	renamedShop, renamedVariant := *other.Shop, *other.Variant
	renamedShop.Name, renamedVariant.ProductTitle = "Maison Sud", "Wool coat"
	other.Shop, other.Variant = &renamedShop, &renamedVariant
	for _, c := range []struct {
		content       stockbell.MessageContent
		subject, text string
	}{{first, "Linen shirt is back in stock", "at Atelier Nord"}, {other, "Wool coat is back in stock", "at Maison Sud"},
		{first, "Linen shirt is back in stock", "at Atelier Nord"}} {
		out, err := tmpl.Render(ctx, c.content)
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != c.subject || !strings.Contains(out.Text, c.text) {
			t.Errorf("subject %q, text:\n%s", out.Subject, out.Text)
		}
	}
	sms := func(id int64) string {
		c := content(stockbell.ChannelSMS, "+15145550100", "en")
		c.Message.ID = id
		out, err := tmpl.Render(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return out.Text
	}
	if a, b := sms(1), sms(2); a == b {
		t.Errorf("two messages' SMS texts are the same (the short link is each message's): %q", a)
	}
}

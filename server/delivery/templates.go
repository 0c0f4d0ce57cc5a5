package delivery

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.Renderer = (*Templates)(nil)

// TemplateData is what message templates see, e.g.
// {{.Variant.ProductTitle}}, {{.ProductURL}}, {{.UnsubscribeURL}}.
type TemplateData struct {
	Shop    ShopData
	Variant VariantData
	Contact ContactData
	// ProductURL is the variant's page with utm_source=stockbell,
	// utm_medium (email or sms), utm_campaign=back_in_stock and the click
	// id sb_click. ShortURL is Stockbell's /r/{code} redirect to it, which
	// counts clicks (SMS uses it).
	ProductURL     string
	ShortURL       string
	UnsubscribeURL string
	// Subject and Preheader are the rendered subject and preheader.
	Subject   string
	Preheader string
	Locale    string
	// T is the locale's default wording, rendered.
	T map[string]string
	// CustomText is the step's rendered Body when it has one, for the
	// default HTML layout; CustomParagraphs splits it at blank lines.
	CustomText       string
	CustomParagraphs []string
}

// ShopData is the shop as templates see it.
type ShopData struct {
	Name string
	URL  string
}

// VariantData is the restocked variant as templates see it. Title is empty
// for a product's only variant ("Default Title").
type VariantData struct {
	ProductTitle string
	Title        string
	// Price is the price as the platform gave it ("89.00"), Currency the
	// shop's ISO 4217 code ("EUR", empty when unknown), and
	// PriceWithCurrency the two as readers of the message's language write
	// an amount, as the default templates show it ("€89.00", "89,00 €";
	// the bare price when the currency is unknown).
	Price             string
	Currency          string
	PriceWithCurrency string
	ImageURL          string
	SKU               string
}

// ContactData is the subscriber's contact.
type ContactData struct {
	Email string
	Phone string
}

// Templates renders flow messages: multipart text and HTML email with
// List-Unsubscribe headers, and SMS text with a short link. Each locale
// (en, fr, de, es; others fall back to en) has default wording; a flow
// step's Subject, Preheader, Body and HTML override it. Parsed templates
// are cached: Render is safe and cheap from many goroutines.
type Templates struct {
	links  *Links
	stop   StopPolicy
	html   *htmltemplate.Template
	text   *texttemplate.Template
	phrase map[string]map[string]*texttemplate.Template // language -> name -> template
	// shared says which phrases read only sharedFields (language -> name).
	shared  map[string]map[string]bool
	phrases phraseCache
	// defaultEmailReadsShared says, by language, whether an email of the
	// default layouts reads only shared phrases.
	defaultEmailReadsShared map[string]bool
	cache                   sync.Map // field + source -> parsed template
	// The default layouts, rendered once for the messages that differ
	// only in their links.
	htmlLayout, textLayout *layout
}

// NewTemplates returns a renderer building links with links and adding
// the SMS opt-out wording by the stop policy.
func NewTemplates(links *Links, stop StopPolicy) *Templates {
	t := &Templates{links: links, stop: stop, phrase: map[string]map[string]*texttemplate.Template{}, shared: map[string]map[string]bool{},
		html: htmltemplate.Must(htmltemplate.New("html").Option("missingkey=error").Parse(defaultHTML)),
		text: texttemplate.Must(texttemplate.New("text").Option("missingkey=error").Parse(defaultText))}
	for lang, p := range locales {
		t.phrase[lang] = parsePhrases(p)
		t.shared[lang] = map[string]bool{}
		for name, tmpl := range t.phrase[lang] {
			t.shared[lang][name] = readsOnly(tmpl.Root, sharedFields, false)
		}
	}
	t.htmlLayout = newHTMLLayout(t.html, func(data *TemplateData) (string, error) { return runHTML(t.html, data) })
	t.textLayout = newTextLayout(t.text.Tree, func(data *TemplateData) (string, error) { return runText(t.text, data) })
	t.defaultEmailReadsShared = t.defaultEmailShared()
	return t
}

func parsePhrases(p phrases) map[string]*texttemplate.Template {
	named := map[string]string{"Subject": p.Subject, "ReminderSubject": p.ReminderSubject, "Preheader": p.Preheader,
		"Heading": p.Heading, "Intro": p.Intro, "Button": p.Button, "Price": p.Price, "Why": p.Why,
		"Unsubscribe": p.Unsubscribe, "SMS": p.SMS, "Stop": p.Stop, "Colon": p.Colon}
	out := make(map[string]*texttemplate.Template, len(named))
	for name, src := range named {
		out[name] = texttemplate.Must(texttemplate.New(name).Option("missingkey=error").Parse(src))
	}
	return out
}

// Render turns a message into an OutboundMessage. A step template that
// fails is an EINVALID error naming the field, so the message fails
// rather than retries.
func (t *Templates) Render(ctx context.Context, c stockbell.MessageContent) (stockbell.OutboundMessage, error) {
	if c.Shop == nil || c.Variant == nil || c.Subscription == nil || c.Message == nil {
		return stockbell.OutboundMessage{}, fmt.Errorf("render: incomplete message content")
	}
	c.Step = c.Step.Localized(c.Subscription.Locale) // the merchant's texts in her language, where written
	data, err := t.data(c)
	if err != nil {
		return stockbell.OutboundMessage{}, err
	}
	out := stockbell.OutboundMessage{MessageID: c.Message.ID, ShopID: c.Shop.ID, Channel: c.Message.Channel, To: c.Message.Recipient, FromName: c.Shop.Name}
	if c.Message.Channel == stockbell.ChannelSMS {
		out.Text, err = t.renderSMS(c, data)
		return out, err
	}
	return t.renderEmail(out, c.Step, data)
}

func (t *Templates) renderEmail(out stockbell.OutboundMessage, step stockbell.FlowStep, data *TemplateData) (stockbell.OutboundMessage, error) {
	var err error
	if step.Body != "" {
		if data.CustomText, err = t.execText("body", step.Body, data); err != nil {
			return out, err
		}
		data.CustomParagraphs = paragraphs(data.CustomText)
	}
	out.Subject, out.Preheader = data.Subject, data.Preheader
	if step.Body != "" {
		out.Text = data.CustomText + "\n\n--\n" + data.T["Unsubscribe"] + ": " + data.UnsubscribeURL + "\n"
	} else if out.Text, err = t.textLayout.render(data); err != nil {
		return out, err
	}
	if step.HTML != "" {
		out.HTML, err = t.execHTML("html", step.HTML, data)
	} else {
		out.HTML, err = t.htmlLayout.render(data)
	}
	out.Headers = map[string]string{
		"List-Unsubscribe":      "<" + data.UnsubscribeURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
	return out, err
}

// renderSMS renders the step's Body or the default wording, with the
// opt-out wording the stop policy asks for.
func (t *Templates) renderSMS(c stockbell.MessageContent, data *TemplateData) (string, error) {
	text := data.T["SMS"]
	if c.Step.Body != "" {
		var err error
		if text, err = t.execText("body", c.Step.Body, data); err != nil {
			return "", err
		}
	}
	text = strings.TrimSpace(text)
	if t.needsStop(c.Message.Recipient) && !saysStop(c.Step.Body, text, data.T["Stop"]) {
		text += " " + data.T["Stop"]
	}
	return text, nil
}

// saysStop reports whether an SMS already tells how to opt out: the body
// the merchant wrote says STOP, or the text carries the opt-out wording.
// A shop's or product's name with "stop" in it does not count.
func saysStop(body, text, wording string) bool {
	return strings.Contains(strings.ToUpper(body), "STOP") || strings.Contains(text, wording)
}

func (t *Templates) needsStop(phone string) bool {
	return t.stop == StopAlways || strings.HasPrefix(phone, "+1")
}

// paragraphs splits text at blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runText(tmpl *texttemplate.Template, data any) (string, error) {
	var b bytes.Buffer
	err := tmpl.Execute(&b, data)
	return b.String(), err
}

func runHTML(tmpl *htmltemplate.Template, data any) (string, error) {
	var b bytes.Buffer
	err := tmpl.Execute(&b, data)
	return b.String(), err
}

package delivery

import (
	"bytes"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
)

// maxCachedTemplates bounds the parsed step templates kept; the cache is
// emptied when it fills (flows change rarely).
const maxCachedTemplates = 4096

// data gathers what the templates see, rendering the locale's wording and
// the step's subject and preheader.
func (t *Templates) data(c stockbell.MessageContent) (*TemplateData, error) {
	lang := Language(c.Subscription.Locale)
	code := t.links.Signer.LinkCode(c.Message.ID)
	product := productPage(c.Variant.URL, c.Variant.ProductURL, c.Shop.PrimaryDomain, c.Shop.Domain)
	data := &TemplateData{
		Shop:       ShopData{Name: c.Shop.Name, URL: shopHome(c.Shop.PrimaryDomain, c.Shop.Domain)},
		Variant:    variantData(c.Variant).priced(lang, c.Shop.Currency, c.Message.Channel),
		Contact:    ContactData{Email: c.Subscription.Email, Phone: c.Subscription.Phone},
		ProductURL: TrackedURL(product, c.Message.Channel, code), ShortURL: t.links.ShortURL(code),
		UnsubscribeURL: t.links.UnsubscribeURL(UnsubscribeToken{SubscriptionID: c.Subscription.ID, ShopID: c.Shop.ID, Channel: c.Message.Channel}),
		Locale:         lang,
	}
	if err := t.renderPhrases(lang, data, defaultEmail(c)); err != nil {
		return nil, err
	}
	return data, t.subjectAndPreheader(c, data)
}

func (t *Templates) subjectAndPreheader(c stockbell.MessageContent, data *TemplateData) error {
	data.Subject, data.Preheader = data.T["Subject"], data.T["Preheader"]
	if c.Message.Step > 1 { // flow steps count from 1: later steps are reminders
		data.Subject = data.T["ReminderSubject"]
	}
	var err error
	if c.Step.Subject != "" {
		if data.Subject, err = t.execText("subject", c.Step.Subject, data); err != nil {
			return err
		}
	}
	if c.Step.Preheader != "" {
		data.Preheader, err = t.execText("preheader", c.Step.Preheader, data)
	}
	return err
}

// defaultEmail reports whether c is an email rendered by the default
// layouts alone: its step (localized) has no template of its own.
func defaultEmail(c stockbell.MessageContent) bool {
	s := c.Step
	return c.Message.Channel == stockbell.ChannelEmail && s.Subject == "" && s.Preheader == "" && s.Body == "" && s.HTML == ""
}

func variantData(v *stockbell.VariantWithProduct) VariantData {
	title := v.Title
	if title == "Default Title" || title == v.ProductTitle {
		title = ""
	}
	image := v.ImageURL
	if image == "" {
		image = v.ProductImageURL
	}
	return VariantData{ProductTitle: v.ProductTitle, Title: title, Price: v.Price, ImageURL: image, SKU: v.SKU}
}

// priced returns the variant with its price in the shop's currency, as
// readers of lang write it. A text writes ordinary spaces where an email
// writes no-break ones: these are not in GSM-7, and would double the
// segments billed.
func (d VariantData) priced(lang, currency string, channel stockbell.Channel) VariantData {
	d.Currency, d.PriceWithCurrency = currency, moneytext.FormatPrice(lang, d.Price, currency)
	if channel == stockbell.ChannelSMS {
		d.PriceWithCurrency = gsmSpaces.Replace(d.PriceWithCurrency)
	}
	return d
}

// gsmSpaces writes the no-break spaces of an amount as ordinary ones.
var gsmSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

// executor is what text/template and html/template templates share.
type executor interface {
	Execute(w io.Writer, data any) error
}

// execText renders a step's text template; a broken one is an EINVALID
// error naming field.
func (t *Templates) execText(field, src string, data *TemplateData) (string, error) {
	tmpl, err := cachedTemplate(t, "text", field, src, func(src string) (*texttemplate.Template, error) {
		return texttemplate.New(field).Option("missingkey=error").Parse(src)
	})
	if err != nil {
		return "", err
	}
	return execute(field, tmpl, data)
}

// execHTML renders a step's HTML template; a broken one is an EINVALID
// error naming field.
func (t *Templates) execHTML(field, src string, data *TemplateData) (string, error) {
	tmpl, err := cachedTemplate(t, "html", field, src, func(src string) (*htmltemplate.Template, error) {
		return htmltemplate.New(field).Option("missingkey=error").Parse(src)
	})
	if err != nil {
		return "", err
	}
	return execute(field, tmpl, data)
}

func execute(field string, tmpl executor, data *TemplateData) (string, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return "", stockbell.FieldErrorf(field, "The %s template cannot be rendered: %s", field, explainTemplateError(err))
	}
	return b.String(), nil
}

// cachedTemplate parses src once per kind (text or html) and keeps it.
func cachedTemplate[T executor](t *Templates, kind, field, src string, parse func(string) (T, error)) (T, error) {
	key := kind + "\x00" + src
	if v, ok := t.cache.Load(key); ok {
		return v.(T), nil
	}
	tmpl, err := parse(src)
	if err != nil {
		var zero T
		return zero, stockbell.FieldErrorf(field, "The %s template does not parse: %s", field, explainTemplateError(err))
	}
	t.store(key, tmpl)
	return tmpl, nil
}

func (t *Templates) store(key string, tmpl any) {
	n := 0
	t.cache.Range(func(any, any) bool { n++; return n < maxCachedTemplates })
	if n >= maxCachedTemplates {
		t.cache.Clear()
	}
	t.cache.Store(key, tmpl)
}

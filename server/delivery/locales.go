package delivery

import "strings"

// phrases is the wording of the default templates in one language. Each
// value is a text/template over TemplateData (HTML escaping happens where
// the default HTML template prints it).
type phrases struct {
	Subject         string
	ReminderSubject string
	Preheader       string
	Heading         string
	Intro           string
	Button          string
	Price           string
	Why             string
	Unsubscribe     string
	SMS             string
	Stop            string
	// Colon is what a label is followed by before its value (Price,
	// Button and Unsubscribe in the default text): ":", or in French a
	// non-breaking space and ":".
	Colon string
}

// frenchSpace is the non-breaking space French writes before ":" and "!"
// in emails, so that a line never starts with them. Texts (SMS) keep an
// ordinary space there: a non-breaking one is not in GSM-7 and would
// double the segments billed.
const frenchSpace = "\u00a0"

// locales holds the default wording per language; English is the fallback.
var locales = map[string]phrases{
	"en": {
		Subject:         "{{.Variant.ProductTitle}} is back in stock",
		ReminderSubject: "Still available: {{.Variant.ProductTitle}}",
		Preheader:       "The item you asked about at {{.Shop.Name}} can be ordered again.",
		Heading:         "Good news: it's back!",
		Intro:           "{{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} is back in stock at {{.Shop.Name}}. Quantities may be limited.",
		Button:          "Shop now",
		Price:           "Price",
		Why:             "You are receiving this email because you asked {{.Shop.Name}} to tell you when this item was back in stock.",
		Unsubscribe:     "Unsubscribe",
		SMS:             "{{.Shop.Name}}: {{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} is back in stock. {{.ShortURL}}",
		Stop:            "Reply STOP to opt out.",
		Colon:           ":",
	},
	"fr": {
		Subject:         "{{.Variant.ProductTitle}} est de nouveau en stock",
		ReminderSubject: "Toujours disponible" + frenchSpace + ": {{.Variant.ProductTitle}}",
		Preheader:       "L'article qui vous intéressait chez {{.Shop.Name}} peut de nouveau être commandé.",
		Heading:         "Bonne nouvelle" + frenchSpace + ": l'article est de retour" + frenchSpace + "!",
		Intro:           "{{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} est de nouveau en stock chez {{.Shop.Name}}. Les quantités peuvent être limitées.",
		Button:          "Acheter maintenant",
		Price:           "Prix",
		Why:             "Vous recevez cet e-mail car vous avez demandé à {{.Shop.Name}} de vous prévenir du retour de cet article.",
		Unsubscribe:     "Se désabonner",
		SMS:             "{{.Shop.Name}} : {{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} est de nouveau en stock. {{.ShortURL}}",
		Stop:            "Répondez STOP pour vous désabonner.",
		Colon:           frenchSpace + ":",
	},
	"de": {
		Subject:         "{{.Variant.ProductTitle}} ist wieder vorrätig",
		ReminderSubject: "Noch verfügbar: {{.Variant.ProductTitle}}",
		Preheader:       "Der Artikel, nach dem Sie bei {{.Shop.Name}} gefragt haben, ist wieder bestellbar.",
		Heading:         "Gute Nachricht: Der Artikel ist wieder da!",
		Intro:           "{{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} ist bei {{.Shop.Name}} wieder vorrätig. Die Menge ist möglicherweise begrenzt.",
		Button:          "Jetzt kaufen",
		Price:           "Preis",
		Why:             "Sie erhalten diese E-Mail, weil Sie {{.Shop.Name}} gebeten haben, Sie zu benachrichtigen, sobald dieser Artikel wieder vorrätig ist.",
		Unsubscribe:     "Abmelden",
		SMS:             "{{.Shop.Name}}: {{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} ist wieder vorrätig. {{.ShortURL}}",
		Stop:            "Antworten Sie STOP zum Abmelden.",
		Colon:           ":",
	},
	"es": {
		Subject:         "{{.Variant.ProductTitle}} vuelve a estar disponible",
		ReminderSubject: "Aún disponible: {{.Variant.ProductTitle}}",
		Preheader:       "El artículo por el que preguntaste en {{.Shop.Name}} se puede pedir de nuevo.",
		Heading:         "Buenas noticias: ¡ha vuelto!",
		Intro:           "{{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} vuelve a estar disponible en {{.Shop.Name}}. Las existencias pueden ser limitadas.",
		Button:          "Comprar ahora",
		Price:           "Precio",
		Why:             "Recibes este correo porque pediste a {{.Shop.Name}} que te avisara cuando este artículo volviera a estar disponible.",
		Unsubscribe:     "Darse de baja",
		SMS:             "{{.Shop.Name}}: {{.Variant.ProductTitle}}{{with .Variant.Title}} ({{.}}){{end}} vuelve a estar disponible. {{.ShortURL}}",
		Stop:            "Responde STOP para darte de baja.",
		Colon:           ":",
	},
}

// Language returns the supported language of a locale such as "fr-CA" or
// "de_DE", or "en". (An Accept-Language header is a list to negotiate:
// server/web's pages do that, by q-value.)
func Language(locale string) string {
	lang := strings.ToLower(locale)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if _, ok := locales[lang]; ok {
		return lang
	}
	return "en"
}

package delivery

import (
	"fmt"
	"html"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// confirmWords is the wording of a confirmation request in one language.
// The consent sentences are what the shopper confirms and what is kept
// with the confirmation; the link is added after them.
type confirmWords struct {
	SMSConsent   string // shop, item
	SMSAction    string // link
	EmailSubject string // shop
	EmailConsent string // shop, item
	EmailAction  string
	EmailIgnore  string
}

var confirmLocales = map[string]confirmWords{
	"en": {
		SMSConsent:   "%s: confirm you want one text when %s is back in stock. Msg & data rates may apply. Reply STOP to opt out.",
		SMSAction:    "Reply YES or tap %s",
		EmailSubject: "Confirm your back-in-stock alert from %s",
		EmailConsent: "Please confirm that you want %s to email you when %s is back in stock.",
		EmailAction:  "Confirm my alert",
		EmailIgnore:  "If you did not ask for this, ignore this email: you will not hear from us.",
	},
	"fr": {
		SMSConsent:   "%s : confirmez que vous voulez un SMS quand %s sera de nouveau en stock. Coût d'un SMS standard. Répondez STOP pour vous désabonner.",
		SMSAction:    "Répondez OUI ou ouvrez %s",
		EmailSubject: "Confirmez votre alerte de retour en stock chez %s",
		EmailConsent: "Merci de confirmer votre demande" + frenchSpace + ": %s vous préviendra par e-mail quand %s sera de nouveau en stock.",
		EmailAction:  "Confirmer mon alerte",
		EmailIgnore:  "Si vous n'avez rien demandé, ignorez cet e-mail" + frenchSpace + ": vous ne recevrez rien.",
	},
	"de": {
		SMSConsent:   "%s: Bestätigen Sie, dass Sie eine SMS erhalten möchten, sobald %s wieder vorrätig ist. Es gelten die üblichen SMS-Kosten. Antworten Sie STOP zum Abmelden.",
		SMSAction:    "Antworten Sie JA oder öffnen Sie %s",
		EmailSubject: "Bestätigen Sie Ihre Verfügbarkeitsbenachrichtigung von %s",
		EmailConsent: "Bitte bestätigen Sie, dass %s Ihnen eine E-Mail senden soll, sobald %s wieder vorrätig ist.",
		EmailAction:  "Benachrichtigung bestätigen",
		EmailIgnore:  "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Sie hören nichts mehr von uns.",
	},
	"es": {
		SMSConsent:   "%s: confirma que quieres un SMS cuando %s vuelva a estar disponible. Pueden aplicarse tarifas de mensajes. Responde STOP para darte de baja.",
		SMSAction:    "Responde SI o abre %s",
		EmailSubject: "Confirma tu alerta de disponibilidad de %s",
		EmailConsent: "Confirma que quieres que %s te avise por correo cuando %s vuelva a estar disponible.",
		EmailAction:  "Confirmar mi alerta",
		EmailIgnore:  "Si no lo has pedido, ignora este correo: no volverás a saber de nosotros.",
	},
}

// confirmationMessage is a confirmation request for a channel and the
// consent text kept with it (the request without its link).
func confirmationMessage(req *stockbell.ConfirmationRequest, link string) (stockbell.OutboundMessage, string) {
	lang := Language(req.Subscription.Locale)
	words := confirmLocales[lang]
	item := itemName(&req.Variant)
	c := req.Confirmation
	shop := shopName(&req.Shop)
	// The reference (the email's Message-ID) names the request: a retry
	// of it keeps the reference, a request made again gets its own, or a
	// mail service that drops repeated Message-IDs would drop it.
	out := stockbell.OutboundMessage{ShopID: c.ShopID, Channel: c.Channel, To: c.Recipient, FromName: shop,
		Reference: fmt.Sprintf("confirmation-%d-%d", c.ID, c.RequestedAt.Unix())}
	if c.Channel == stockbell.ChannelSMS {
		consent := fmt.Sprintf(words.SMSConsent, shop, item)
		out.Text = consent + " " + fmt.Sprintf(words.SMSAction, link)
		return out, consent
	}
	consent := fmt.Sprintf(words.EmailConsent, shop, item)
	out.Subject = fmt.Sprintf(words.EmailSubject, shop)
	out.Text = consent + "\n\n" + words.EmailAction + locales[lang].Colon + " " + link + "\n\n" + words.EmailIgnore + "\n"
	// The language, for a screen reader's voice; the viewport, so that a
	// phone shows the email at its own width rather than a desktop's.
	out.HTML = `<!DOCTYPE html><html lang="` + lang + `"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"><title>` + html.EscapeString(out.Subject) + `</title></head>` +
		`<body style="font-family:sans-serif;color:#18181b"><p>` + html.EscapeString(consent) +
		`</p><p><a href="` + html.EscapeString(link) + `" style="display:inline-block;padding:12px 20px;background:#18181b;color:#fff;` +
		`text-decoration:none;border-radius:6px">` + html.EscapeString(words.EmailAction) + `</a></p><p style="color:#71717a">` +
		html.EscapeString(words.EmailIgnore) + `</p></body></html>`
	return out, consent
}

// shopName is how a confirmation names the shop: its name, else its domain.
func shopName(shop *stockbell.Shop) string {
	for _, name := range []string{shop.Name, shop.PrimaryDomain, shop.Domain} {
		if name = strings.TrimPrefix(strings.TrimPrefix(name, "https://"), "http://"); name != "" {
			return name
		}
	}
	return ""
}

// itemName is "Product (Variant)", or the product alone for its only variant.
func itemName(v *stockbell.VariantWithProduct) string {
	d := variantData(v)
	if d.Title == "" {
		return d.ProductTitle
	}
	return d.ProductTitle + " (" + d.Title + ")"
}

// yesWords are the replies that confirm a text subscription, in the
// languages the confirmation is sent in (upper case, accents kept).
var yesWords = map[string]bool{"YES": true, "Y": true, "OUI": true, "JA": true, "SI": true, "SÍ": true}

// stopWords are the replies that opt a number out: Twilio's opt-out
// keywords and their French and German forms.
var stopWords = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true,
	"OPTOUT": true, "REVOKE": true, "ARRET": true, "ARRÊT": true, "STOPP": true}

// IsStop reports whether an SMS reply opts the number out (STOP and the
// other opt-out keywords), alone apart from spaces and final punctuation.
func IsStop(body string) bool {
	return stopWords[strings.ToUpper(strings.TrimRight(strings.TrimSpace(body), ".!"))]
}

// IsYes reports whether an SMS reply confirms: YES (or OUI, JA, SI), in
// any case, alone apart from spaces and final punctuation.
func IsYes(body string) bool {
	word := strings.ToUpper(strings.TrimRight(strings.TrimSpace(body), ".!"))
	return yesWords[word]
}

package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// ConfirmationPath is where a confirmation link points: /confirm/{token}.
const ConfirmationPath = "/confirm/{token}"

// TwilioInboundPath is where Twilio posts the text messages shoppers send
// to the shop's number (set it as the number's "A message comes in"
// webhook): a YES reply confirms a text subscription.
const TwilioInboundPath = "/webhooks/twilio/sms"

// ConfirmationService is double opt-in; server/delivery's Confirmations
// implements it. Page and Confirm return EUNAUTHORIZED for a token that is
// not valid or expired and ENOTFOUND for a confirmation gone since.
type ConfirmationService interface {
	// Page returns what the link's page shows.
	Page(ctx context.Context, token string) (*stockbell.ConfirmationPage, error)
	// Confirm confirms the link's channel and returns the page as it is now.
	Confirm(ctx context.Context, token string) (*stockbell.ConfirmationPage, error)
	// Reply handles a text a phone number sent: YES confirms its open text
	// confirmations, STOP takes it out of waiting subscriptions. It
	// returns how many subscriptions changed.
	Reply(ctx context.Context, from, body string) (int, error)
}

// InboundVerifier checks a provider's signature on an inbound-message
// webhook: its path and query, its POST parameters and its signature
// header (server/delivery's TwilioInbound). EUNAUTHORIZED for a request
// not signed by the provider.
type InboundVerifier interface {
	Verify(requestURI string, form url.Values, signature string) error
}

// maxInboundForm bounds an inbound message's form: Twilio's are about 1 KB.
const maxInboundForm = 64 << 10

// twilioSignatureHeader carries Twilio's signature of its requests.
const twilioSignatureHeader = "X-Twilio-Signature"

// inboundStatuses: a request Twilio did not sign is refused 403.
var inboundStatuses = Statuses{stockbell.EUNAUTHORIZED: http.StatusForbidden, stockbell.EINVALID: http.StatusBadRequest}

// RegisterConfirmations serves double opt-in, no login needed:
//
//   - GET /confirm/{token} shows what the shopper is asked to confirm and a
//     button; it confirms nothing, so a mail or link scanner that follows
//     the link does not confirm for the shopper.
//   - POST /confirm/{token} (the button) confirms and shows the result.
//   - POST /webhooks/twilio/sms (when inbound is not nil) takes a reply
//     Twilio signed (X-Twilio-Signature): YES confirms; a request unsigned
//     or wrongly signed is refused 403 and changes nothing; STOP takes the
//     number out of its waiting subscriptions.
func (s *Server) RegisterConfirmations(confirmations ConfirmationService, inbound InboundVerifier) {
	h := &confirmHandler{server: s, confirmations: confirmations, inbound: inbound}
	s.router.HandleFunc(ConfirmationPath, h.serve)
	if inbound != nil {
		s.router.HandleFunc(TwilioInboundPath, h.reply).Methods(http.MethodPost)
	}
}

type confirmHandler struct {
	server        *Server
	confirmations ConfirmationService
	inbound       InboundVerifier
}

func (h *confirmHandler) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak
	w.Header().Set("X-Robots-Tag", "noindex")
	token := mux.Vars(r)["token"]
	var page *stockbell.ConfirmationPage
	var err error
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		page, err = h.confirmations.Page(r.Context(), token)
	case http.MethodPost:
		page, err = h.confirmations.Confirm(r.Context(), token)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.fail(w, r, stockbell.Errorf(stockbell.EINVALID, "Method not allowed."), http.StatusMethodNotAllowed)
		return
	}
	if err != nil {
		h.fail(w, r, err, 0)
		return
	}
	lang := pageLanguage(page.Language)
	texts := confirmTexts[lang]
	closed := texts.Closed[page.Closed]
	switch { // the page's title and heading say what happened
	case page.Closed != stockbell.ConfirmationOpen:
		texts.Title = closed.Title
	case page.Confirmed:
		texts.Title = texts.DoneTitle
	}
	WriteHTML(w, http.StatusOK, confirmPageTemplate, confirmPage{Lang: lang, T: texts, Closed: closed, Page: page})
}

// fail answers the page with only an error message; status, when not 0,
// overrides the error's own.
func (h *confirmHandler) fail(w http.ResponseWriter, r *http.Request, err error, status int) {
	if status == 0 {
		status = statusOf(err, linkStatuses)
	}
	h.server.logFailure(r, status, err)
	lang := requestLanguage(r)
	texts := confirmTexts[lang]
	switch {
	case status == http.StatusNotFound: // nothing to confirm: the heading says so
		texts.Title = texts.InvalidTitle
	case status >= http.StatusInternalServerError: // not "Confirm your alert" above no button
		texts.Title = deadLinkTexts[lang].Error.Title
	}
	WriteHTML(w, status, confirmPageTemplate, confirmPage{Lang: lang, T: texts, Status: status})
}

// reply takes an inbound text from Twilio. The answer is empty TwiML:
// Twilio sends nothing back to the shopper.
func (h *confirmHandler) reply(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxInboundForm)
	if err := r.ParseForm(); err != nil {
		h.server.writeError(w, r, stockbell.FieldErrorf("body", "The request is not a form."), inboundStatuses)
		return
	}
	form := r.PostForm
	if err := h.inbound.Verify(r.URL.RequestURI(), form, r.Header.Get(twilioSignatureHeader)); err != nil {
		h.server.writeError(w, r, err, inboundStatuses)
		return
	}
	from := contact.CanonicalPhone(form.Get("From"))
	if _, err := h.confirmations.Reply(r.Context(), from, form.Get("Body")); err != nil {
		h.server.writeError(w, r, err, inboundStatuses)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
}

// confirmPage is what the page template sees.
type confirmPage struct {
	Lang string
	T    confirmText
	// Closed is the wording for Page.Closed (none while it is open).
	Closed closedText
	Page   *stockbell.ConfirmationPage
	Status int // for error pages
}

// confirmText is the wording of the confirmation page in one language;
// DoneTitle replaces Title once the alert is confirmed, Closed's title
// once it can no longer be confirmed, InvalidTitle for a link that is not
// valid or has expired, whose page also says how to get a new one (Renew).
// Done says the alert waits for the item to be back in stock; DoneInStock
// replaces it when the item is in stock already, formatted as Done is
// with the shop and the product (%[1]s and %[2]s).
type confirmText struct {
	Title, For, Button, Done, Invalid, Error, DoneTitle string
	Closed                                              map[stockbell.ConfirmationClosure]closedText
	InvalidTitle, Renew, DoneInStock                    string
	// Refused is the sentence for a request the page does not take (405):
	// the link is fine; opening it again shows the button.
	Refused string
}

// Done is the page's sentence once the alert is confirmed.
func (p confirmPage) Done() string {
	if p.Page.InStock {
		return fmt.Sprintf(p.T.DoneInStock, p.Page.Shop, p.Page.Product)
	}
	return fmt.Sprintf(p.T.Done, p.Page.Shop, p.Page.Product)
}

// closedText says why a confirmation can no longer be given: its Text is
// formatted with the shop, the product and the contact, in that order
// (each text names those it needs by index: %[2]s is the product).
type closedText struct{ Title, Text string }

var confirmTexts = map[string]confirmText{
	"en": {"Confirm your alert", "For %s", "Confirm", "Confirmed. You will hear from %s when %s is back in stock.",
		"This link is not valid or has expired.", "Something went wrong. Please try again later.", "Alert confirmed",
		map[stockbell.ConfirmationClosure]closedText{
			stockbell.ClosedRemoved: {"Alert removed", "%[1]s removed this alert: you will not be notified when %[2]s is back in stock."},
			stockbell.ClosedUnsubscribed: {"Unsubscribed",
				"You unsubscribed from this alert: you will not be notified when %[2]s is back in stock."},
			stockbell.ClosedChannelLeft: {"Nothing to confirm",
				"You asked not to be contacted at %[3]s about this alert: there is nothing to confirm."},
			stockbell.ClosedNotWaiting: {"Nothing to confirm",
				"This alert is no longer waiting for %[2]s to be back in stock: there is nothing left to confirm."},
			stockbell.ClosedShopUninstalled: {"Nothing to confirm", "%[1]s no longer sends back-in-stock alerts: there is nothing to confirm."},
		},
		"Link not valid",
		"To get a new link, sign up again for the alert on the shop's website: a new confirmation is sent to you.",
		"Confirmed. %[2]s is already back in stock: you can buy it from %[1]s now, without waiting for your alert.",
		"This could not be done. Open the link in your message again and press Confirm."},
	"fr": {"Confirmez votre alerte", "Pour %s", "Confirmer", "C'est confirmé. %s vous préviendra quand %s sera de nouveau en stock.",
		"Ce lien n'est pas valide ou a expiré.", "Une erreur est survenue. Veuillez réessayer plus tard.", "Alerte confirmée",
		map[stockbell.ConfirmationClosure]closedText{
			stockbell.ClosedRemoved: {"Alerte supprimée",
				"%[1]s a supprimé cette alerte\u00a0: vous ne recevrez pas d'alerte quand %[2]s sera de nouveau en stock."},
			stockbell.ClosedUnsubscribed: {"Désinscription effectuée",
				"Vous avez mis fin à cette alerte\u00a0: vous ne recevrez pas d'alerte quand %[2]s sera de nouveau en stock."},
			stockbell.ClosedChannelLeft: {"Rien à confirmer",
				"Vous avez demandé que l'on ne vous contacte plus à %[3]s pour cette alerte\u00a0: il n'y a rien à confirmer."},
			stockbell.ClosedNotWaiting: {"Rien à confirmer",
				"Cette alerte n'est plus en attente pour %[2]s\u00a0: il n'y a plus rien à confirmer."},
			stockbell.ClosedShopUninstalled: {"Rien à confirmer",
				"%[1]s n'envoie plus d'alertes de retour en stock\u00a0: il n'y a rien à confirmer."},
		},
		"Lien non valide",
		"Pour recevoir un nouveau lien, inscrivez-vous de nouveau à l'alerte sur le site de la boutique\u00a0: une nouvelle confirmation vous sera envoyée.",
		"C'est confirmé. %[2]s est déjà de nouveau en stock\u00a0: vous pouvez l'acheter chez %[1]s dès maintenant, sans attendre votre alerte.",
		"Cette action n'a pas pu être effectuée. Rouvrez le lien de votre message et appuyez sur Confirmer."},
	"de": {"Bestätigen Sie Ihre Benachrichtigung", "Für %s", "Bestätigen", "Bestätigt. %s benachrichtigt Sie, sobald %s wieder vorrätig ist.",
		"Dieser Link ist ungültig oder abgelaufen.", "Etwas ist schiefgelaufen. Bitte versuchen Sie es später erneut.", "Benachrichtigung bestätigt",
		map[stockbell.ConfirmationClosure]closedText{
			stockbell.ClosedRemoved: {"Benachrichtigung entfernt",
				"%[1]s hat diese Benachrichtigung entfernt: Sie werden nicht benachrichtigt, wenn %[2]s wieder vorrätig ist."},
			stockbell.ClosedUnsubscribed: {"Abgemeldet",
				"Sie haben sich von dieser Benachrichtigung abgemeldet: Sie werden nicht benachrichtigt, wenn %[2]s wieder vorrätig ist."},
			stockbell.ClosedChannelLeft: {"Nichts zu bestätigen",
				"Sie möchten unter %[3]s nicht mehr zu dieser Benachrichtigung kontaktiert werden: Es gibt nichts zu bestätigen."},
			stockbell.ClosedNotWaiting: {"Nichts zu bestätigen",
				"Diese Benachrichtigung wartet nicht mehr darauf, dass %[2]s wieder vorrätig ist: Es gibt nichts mehr zu bestätigen."},
			stockbell.ClosedShopUninstalled: {"Nichts zu bestätigen",
				"%[1]s versendet keine Verfügbarkeits\u00adbenachrichtigungen mehr: Es gibt nichts zu bestätigen."},
		},
		"Link ungültig",
		"Um einen neuen Link zu erhalten, melden Sie sich auf der Website des Shops erneut an: Sie erhalten eine neue Bestätigung.",
		"Bestätigt. %[2]s ist bereits wieder vorrätig: Sie können den Artikel jetzt bei %[1]s kaufen, ohne auf Ihre Benachrichtigung zu warten.",
		"Das hat nicht geklappt. Öffnen Sie den Link in Ihrer Nachricht erneut und tippen Sie auf Bestätigen."},
	"es": {"Confirma tu alerta", "Para %s", "Confirmar", "Confirmado. %s te avisará cuando %s vuelva a estar disponible.",
		"Este enlace no es válido o ha caducado.", "Algo ha fallado. Inténtalo de nuevo más tarde.", "Alerta confirmada",
		map[stockbell.ConfirmationClosure]closedText{
			stockbell.ClosedRemoved: {"Alerta eliminada",
				"%[1]s ha eliminado esta alerta: no recibirás ningún aviso cuando %[2]s vuelva a estar disponible."},
			stockbell.ClosedUnsubscribed: {"Baja confirmada",
				"Te has dado de baja de esta alerta: no recibirás ningún aviso cuando %[2]s vuelva a estar disponible."},
			stockbell.ClosedChannelLeft: {"Nada que confirmar",
				"Pediste que no te contactáramos en %[3]s por esta alerta: no hay nada que confirmar."},
			stockbell.ClosedNotWaiting: {"Nada que confirmar",
				"Esta alerta ya no espera a que %[2]s vuelva a estar disponible: no queda nada por confirmar."},
			stockbell.ClosedShopUninstalled: {"Nada que confirmar",
				"%[1]s ya no envía avisos de disponibilidad: no hay nada que confirmar."},
		},
		"Enlace no válido",
		"Para recibir un enlace nuevo, vuelve a suscribirte a la alerta en la web de la tienda: te enviaremos una nueva confirmación.",
		"Confirmado. %[2]s ya vuelve a estar disponible: puedes comprar en %[1]s ahora mismo, sin esperar tu aviso.",
		"No se ha podido hacer. Vuelve a abrir el enlace de tu mensaje y pulsa Confirmar."},
}

var confirmPageTemplate = template.Must(template.New("confirm").Funcs(template.FuncMap{
	"sprintf": fmt.Sprintf,
}).Parse(shopperPageHead + `button{background:#18181b;color:#fff}
</style>
</head>
<body>
<main>
<h1>{{.T.Title}}</h1>
{{- if .Status}}
<p role="alert">{{if ge .Status 500}}{{.T.Error}}{{else if eq .Status 405}}{{.T.Refused}}{{else}}{{.T.Invalid}}{{end}}</p>
{{- if eq .Status 404}}
<p>{{.T.Renew}}</p>
{{- end}}
{{- else if .Page.Closed}}
<p role="status">{{sprintf .Closed.Text .Page.Shop .Page.Product .Page.Contact}}</p>
{{- else if .Page.Confirmed}}
<p class="done" role="status" tabindex="-1" autofocus>{{.Done}}</p>
{{- else}}
<p>{{.Page.ConsentText}}</p>
<p class="muted">{{sprintf .T.For .Page.Contact}}</p>
<form method="post"><button type="submit">{{.T.Button}}</button></form>
{{- end}}
</main>
</body>
</html>
`))

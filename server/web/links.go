package web

import (
	"context"
	"html/template"
	"net/http"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// ShortLinkService is what a message's short link does; server/delivery's
// ShortLinks implements it.
type ShortLinkService interface {
	// Preview returns where the link leads, as Follow does, without
	// counting a click; the same errors as Follow.
	Preview(ctx context.Context, code string) (string, error)
	// Follow counts a click and returns where the link leads; EUNAUTHORIZED
	// for a forged code, ENOTFOUND when the message or its page is gone.
	Follow(ctx context.Context, code string) (string, error)
}

// RegisterShortLinks serves GET /r/{code}, the short product link of SMS
// messages: it counts the click and redirects (302) to the product page
// with the tracking parameters. HEAD (a link preview) is not a click but
// answers as GET would: the same redirect, or 404 for a forged link or one
// whose message is gone.
func (s *Server) RegisterShortLinks(links ShortLinkService) {
	s.router.HandleFunc("/r/{code}", func(w http.ResponseWriter, r *http.Request) {
		code := mux.Vars(r)["code"]
		var target string
		var err error
		switch r.Method {
		case http.MethodHead:
			target, err = links.Preview(r.Context(), code)
		case http.MethodGet:
			target, err = links.Follow(r.Context(), code)
		default:
			w.Header().Set("Allow", "GET, HEAD")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if err != nil {
			s.writeDeadLinkPage(w, r, err)
			return
		}
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// writeDeadLinkPage answers a short link that leads nowhere with a page
// that says why, in the language the browser asks for (as the unsubscribe
// and confirmation pages do): a forged or malformed code is not valid; a
// message erased since, or with no page left to send to, is no longer
// available.
func (s *Server) writeDeadLinkPage(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err, linkStatuses)
	s.logFailure(r, status, err)
	lang := requestLanguage(r)
	texts := deadLinkTexts[lang]
	text := texts.Invalid
	switch {
	case status >= 500:
		text = texts.Error
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND:
		text = texts.Gone
	}
	WriteHTML(w, status, deadLinkPageTemplate, deadLinkPage{Lang: lang, T: text})
}

// deadLinkText is one case of a dead short link's page: its title and
// its sentence.
type deadLinkText struct{ Title, Text string }

// deadLinkTexts are, per language, the page of a link not valid, of one no
// longer available, of a failure on the server's side, and of a path no
// route serves (a link mangled on its way from a message).
var deadLinkTexts = map[string]struct{ Invalid, Gone, Error, NotFound deadLinkText }{
	"en": {
		deadLinkText{"Link not valid", "This link is not valid. Check that it was copied in full from your message."},
		deadLinkText{"Link no longer available", "This link is no longer available."},
		deadLinkText{"Something went wrong", "Something went wrong. Please try again later."},
		deadLinkText{"Page not found", "There is no page at this address. If you followed a link from a message, check that it was copied in full."}},
	"fr": {
		deadLinkText{"Lien non valide", "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier depuis votre message."},
		deadLinkText{"Lien indisponible", "Ce lien n'est plus disponible."},
		deadLinkText{"Une erreur est survenue", "Une erreur est survenue. Veuillez réessayer plus tard."},
		deadLinkText{"Page introuvable", "Il n'y a pas de page à cette adresse. Si vous avez suivi le lien d'un message, vérifiez qu'il a été copié en entier."}},
	"de": {
		deadLinkText{"Link ungültig", "Dieser Link ist ungültig. Prüfen Sie, ob er vollständig aus Ihrer Nachricht kopiert wurde."},
		deadLinkText{"Link nicht mehr verfügbar", "Dieser Link ist nicht mehr verfügbar."},
		deadLinkText{"Etwas ist schiefgelaufen", "Etwas ist schiefgelaufen. Bitte versuchen Sie es später erneut."},
		deadLinkText{"Seite nicht gefunden", "Unter dieser Adresse gibt es keine Seite. Wenn Sie einem Link aus einer Nachricht gefolgt sind, prüfen Sie, ob er vollständig kopiert wurde."}},
	"es": {
		deadLinkText{"Enlace no válido", "Este enlace no es válido. Comprueba que lo has copiado entero desde tu mensaje."},
		deadLinkText{"Enlace no disponible", "Este enlace ya no está disponible."},
		deadLinkText{"Algo ha fallado", "Algo ha fallado. Inténtalo de nuevo más tarde."},
		deadLinkText{"Página no encontrada", "No hay ninguna página en esta dirección. Si has seguido el enlace de un mensaje, comprueba que lo has copiado entero."}},
}

// deadLinkPage is what the dead link's template sees.
type deadLinkPage struct {
	Lang string
	T    deadLinkText
}

var deadLinkPageTemplate = template.Must(template.New("deadlink").Parse(shopperPageHead + `</style>
</head>
<body>
<main>
<h1>{{.T.Title}}</h1>
<p role="alert">{{.T.Text}}</p>
</main>
</body>
</html>
`))

// messagePage is a page with one sentence: what a shopper following a
// link sees when it leads nowhere.
var messagePage = template.Must(template.New("message").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>{{.}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}</style>
</head><body><p>{{.}}</p></body></html>`))

// writeErrorPage answers err as a page of one sentence, with the status the
// route chose for it: the error's own message for a shopper's mistake or a
// link that expired, a generic one for a failure on the server's side.
func (s *Server) writeErrorPage(w http.ResponseWriter, r *http.Request, err error, route Statuses) {
	status := statusOf(err, route)
	s.logFailure(r, status, err)
	text := stockbell.ErrorMessage(err)
	if status >= 500 {
		text = "Something went wrong. Please try again later."
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteHTML(w, status, messagePage, text)
}

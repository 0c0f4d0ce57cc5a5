package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// UnsubscribeService is what an unsubscribe link does; server/delivery's
// Unsubscribes implements it. Every method returns ENOTFOUND or
// EUNAUTHORIZED for a token that is not valid any more.
type UnsubscribeService interface {
	// ContactAlerts returns the alerts of the token's contact at its shop.
	ContactAlerts(ctx context.Context, token string) (*stockbell.ContactAlerts, error)
	// OneClick unsubscribes the token's own subscription (RFC 8058).
	OneClick(ctx context.Context, token string) error
	// Remove unsubscribes one of the contact's alerts (which is its id) or
	// all of them ("all"), and returns the token of an Undo button for
	// those it ended ("" for none); EINVALID for anything else.
	Remove(ctx context.Context, token, which string) (string, error)
	// Undo restores the alerts an Undo button's token names, and says
	// what became of each; EINVALID naming "undo" for another contact's.
	Undo(ctx context.Context, token, undo string) ([]stockbell.UndoneAlert, error)
}

// maxUnsubscribeBody bounds a POST body: the forms are a few bytes.
const maxUnsubscribeBody = 16 << 10

// linkStatuses are the choices of the pages behind a signed link: a link
// that is not valid, or whose subscription or message is gone, is simply
// not found; a bad form is 400.
var linkStatuses = Statuses{stockbell.EUNAUTHORIZED: http.StatusNotFound, stockbell.EINVALID: http.StatusBadRequest}

// RegisterUnsubscribe serves /unsubscribe/{token}, no login needed: the
// signed token is the proof.
//
//   - GET shows the contact's alerts at the token's shop, each with a
//     button to remove it and one to remove them all.
//   - POST with List-Unsubscribe=One-Click (RFC 8058, sent by mail
//     clients from the List-Unsubscribe-Post header) unsubscribes the
//     token's subscription and answers 200.
//   - POST with remove={id} or remove=all (the page's buttons) removes one
//     or all of the contact's alerts and shows the page again, with an
//     Undo button for stockbell.UnsubscribeUndoWindow.
//   - POST with undo={token} (that button) restores what the removal
//     ended, and shows the page with what became of each alert.
func (s *Server) RegisterUnsubscribe(unsubscribes UnsubscribeService) {
	h := &unsubscribeHandler{server: s, unsubscribes: unsubscribes}
	s.router.HandleFunc("/unsubscribe/{token}", h.serve)
}

type unsubscribeHandler struct {
	server       *Server
	unsubscribes UnsubscribeService
}

func (h *unsubscribeHandler) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak to image hosts
	w.Header().Set("X-Robots-Tag", "noindex")
	token := mux.Vars(r)["token"]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.showPage(w, r, token, unsubscribePage{Removed: r.URL.Query().Get("removed"), Undo: r.URL.Query().Get("undo")}, http.StatusOK)
	case http.MethodPost:
		h.post(w, r, token)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.fail(w, r, stockbell.Errorf(stockbell.EINVALID, "Method not allowed."), http.StatusMethodNotAllowed)
	}
}

func (h *unsubscribeHandler) post(w http.ResponseWriter, r *http.Request, token string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUnsubscribeBody)
	if err := r.ParseMultipartForm(maxUnsubscribeBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.fail(w, r, stockbell.FieldErrorf("body", "Bad form."), 0)
		return
	}
	if r.PostFormValue("List-Unsubscribe") == "One-Click" {
		if err := h.unsubscribes.OneClick(r.Context(), token); err != nil {
			h.fail(w, r, err, 0)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Unsubscribed.\n"))
		return
	}
	if undo := r.PostFormValue("undo"); undo != "" {
		h.undo(w, r, token, undo)
		return
	}
	which := r.PostFormValue("remove")
	undo, err := h.unsubscribes.Remove(r.Context(), token, which)
	if err != nil {
		h.fail(w, r, err, 0)
		return
	}
	query := url.Values{"removed": {which}}
	if undo != "" {
		query.Set("undo", undo)
	}
	http.Redirect(w, r, r.URL.Path+"?"+query.Encode(), http.StatusSeeOther)
}

// showPage renders the contact's alerts at the shop, with what page
// adds (a removal and its Undo button, or what an undo did).
func (h *unsubscribeHandler) showPage(w http.ResponseWriter, r *http.Request, token string, page unsubscribePage, status int) {
	alerts, err := h.unsubscribes.ContactAlerts(r.Context(), token)
	if err != nil {
		h.fail(w, r, err, 0)
		return
	}
	if page.Removed != "" && !removalStands(page.Removed, alerts) {
		page.Removed, page.Undo = "", ""
	}
	page.Lang = pageLanguage(alerts.Language)
	page.T, page.U, page.Alerts = pageTexts[page.Lang], undoTexts[page.Lang], alerts
	WriteHTML(w, status, unsubscribePageTemplate, page)
}

// removalStands reports whether the removal a page's address names (an
// alert's id, or "all") still holds. The address stays in the browser's
// history after the removal is undone (Back from the page the undo
// answered): the alerts it names are active again then, and the page must
// not say they were removed nor offer the spent Undo button.
func removalStands(removed string, alerts *stockbell.ContactAlerts) bool {
	if removed == "all" {
		return alerts.Active == 0
	}
	for _, a := range alerts.Alerts {
		if strconv.FormatInt(a.SubscriptionID, 10) == removed {
			return !a.Active
		}
	}
	return false
}

// fail answers the page with only an error message, in the language the
// browser asks for; status, when not 0, overrides the error's own.
func (h *unsubscribeHandler) fail(w http.ResponseWriter, r *http.Request, err error, status int) {
	if status == 0 {
		status = statusOf(err, linkStatuses)
	}
	h.server.logFailure(r, status, err)
	lang := requestLanguage(r)
	page := unsubscribePage{Lang: lang, T: pageTexts[lang], U: undoTexts[lang], Status: status,
		Gone: stockbell.ErrorCode(err) == stockbell.ENOTFOUND}
	// The title and heading say what happened, as a dead short link's do;
	// a form refused keeps the page's own.
	switch dead := deadLinkTexts[lang]; {
	case status >= http.StatusInternalServerError:
		page.T.Title = dead.Error.Title
	case status == http.StatusNotFound && page.Gone:
		page.T.Title = dead.Gone.Title
	case status == http.StatusNotFound:
		page.T.Title = dead.Invalid.Title
	}
	WriteHTML(w, status, unsubscribePageTemplate, page)
}

// Failure is the sentence of an error page: the server failed; the link's
// alert is gone; the link is not valid (an unsubscribe link never
// expires: one cut short or mangled on its way is what fails to open); or
// the page refused what was posted, the link being fine.
func (p unsubscribePage) Failure() string {
	switch {
	case p.Status >= http.StatusInternalServerError:
		return p.T.Error
	case p.Status == http.StatusNotFound && p.Gone:
		return p.T.Gone
	case p.Status == http.StatusNotFound:
		return p.T.Invalid
	}
	return p.T.Refused
}

// unsubscribePage is what the page template sees.
type unsubscribePage struct {
	Lang    string
	T       pageText
	U       undoText
	Alerts  *stockbell.ContactAlerts
	Removed string // "", "all" or the id of the alert just removed
	Undo    string // the token of the removal's Undo button
	// Undone is what an undo did for each alert it named.
	Undone []stockbell.UndoneAlert
	Status int // for error pages
	// Gone says the error page's link names an alert that no longer exists.
	Gone bool
}

// pageText is the wording of the unsubscribe page in one language.
// RemovedWhich is Removed naming the alert (%s: its name and sign-up date,
// as its row says them), for an alert whose variant has another row.
// Removed and RemovedWhich say the shopper hears no more of the item: they
// are for the last active alert of its product. RemovedKept and
// RemovedWhichKept (the alert's name, then the product's) are for one
// whose product has another active alert, of the same variant or another.
type pageText struct {
	Title, Intro, Remove, RemoveAll, Removed, RemovedAll, Inactive, None, Invalid, Error, RemovedWhich string
	RemovedKept, RemovedWhichKept                                                                      string
	// Gone is an error page's sentence for a link whose alert no longer
	// exists; Refused for a form the page refused (see Failure).
	Gone, Refused string
}

var pageTexts = map[string]pageText{
	"en": {"Your back-in-stock alerts", "Alerts for %s at %s:", "Remove", "Remove all alerts", "Alert removed. You will not hear about it again.",
		"All alerts removed. You will not hear from us about them again.", "removed", "You have no active alerts here.",
		"This link is not valid. Check that it was copied in full from your message.", "Something went wrong. Please try again later.",
		"Alert removed: %s. You will not hear about it again.",
		"Alert removed. You still have another active alert for %s.", "Alert removed: %s. You still have another active alert for %s.",
		"This link is no longer available: the alert it was for no longer exists.",
		"This could not be done. Open the link in your message again to see your alerts as they are now."},
	"fr": {"Vos alertes de retour en stock", "Alertes pour %s chez %s\u00a0:", "Retirer", "Retirer toutes les alertes", "Alerte retirée. Vous ne recevrez plus d'alerte pour cet article.",
		"Toutes les alertes ont été retirées.", "retirée", "Vous n'avez plus d'alerte active ici.",
		"Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier depuis votre message.", "Une erreur est survenue. Veuillez réessayer plus tard.",
		"Alerte retirée\u00a0: %s. Vous ne recevrez plus d'alerte pour cette inscription.",
		"Alerte retirée. Vous avez encore une autre alerte active pour %s.", "Alerte retirée\u00a0: %s. Vous avez encore une autre alerte active pour %s.",
		"Ce lien n'est plus disponible\u00a0: l'alerte à laquelle il menait n'existe plus.",
		"Cette action n'a pas pu être effectuée. Rouvrez le lien de votre message pour voir vos alertes telles qu'elles sont."},
	"de": {"Ihre Verfügbarkeits\u00adbenachrichtigungen", "Benachrichtigungen für %s bei %s:", "Entfernen", "Alle Benachrichtigungen entfernen", "Benachrichtigung entfernt. Sie hören dazu nichts mehr.",
		"Alle Benachrichtigungen wurden entfernt.", "entfernt", "Sie haben hier keine aktiven Benachrichtigungen.",
		"Dieser Link ist ungültig. Prüfen Sie, ob er vollständig aus Ihrer Nachricht kopiert wurde.", "Etwas ist schiefgelaufen. Bitte versuchen Sie es später erneut.",
		"Benachrichtigung entfernt: %s. Sie hören dazu nichts mehr.",
		"Benachrichtigung entfernt. Sie haben für %s noch eine weitere aktive Benachrichtigung.", "Benachrichtigung entfernt: %s. Sie haben für %s noch eine weitere aktive Benachrichtigung.",
		"Dieser Link ist nicht mehr verfügbar: Die Benachrichtigung, zu der er gehörte, gibt es nicht mehr.",
		"Das hat nicht geklappt. Öffnen Sie den Link in Ihrer Nachricht erneut, um Ihre Benachrichtigungen im aktuellen Stand zu sehen."},
	"es": {"Tus alertas de disponibilidad", "Alertas de %s en %s:", "Quitar", "Quitar todas las alertas", "Alerta eliminada. No volverás a recibir avisos de este artículo.",
		"Se han eliminado todas las alertas.", "eliminada", "No tienes alertas activas aquí.",
		"Este enlace no es válido. Comprueba que lo has copiado entero desde tu mensaje.", "Algo ha fallado. Inténtalo de nuevo más tarde.",
		"Alerta eliminada: %s. No volverás a recibir avisos de esta suscripción.",
		"Alerta eliminada. Todavía tienes otra alerta activa para %s.", "Alerta eliminada: %s. Todavía tienes otra alerta activa para %s.",
		"Este enlace ya no está disponible: la alerta a la que correspondía ya no existe.",
		"No se ha podido hacer. Vuelve a abrir el enlace de tu mensaje para ver tus alertas tal como están ahora."},
}

// shopperPageHead opens the pages a shopper reaches from a message (the
// unsubscribe and confirmation pages): the document head and the styles they
// share. Each page's template adds its own styles and closes the <style>.
// A word longer than the screen is wide (an email address) breaks rather
// than making the page scroll sideways; a German compound too long for a
// phone carries a soft hyphen (\u00ad) where it is to break, so that it
// breaks there, hyphenated, rather than between any two letters. The body's
// side padding keeps the card clear of a phone's edges: on a wide screen
// the card's auto margins center it anyway. The notice saying what a
// button did (.done) opens focused (tabindex -1, autofocus), so that a
// screen reader reads it first and Tab goes on from it, and shows the
// buttons' focus ring.
const shopperPageHead = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{{.T.Title}}</title>
<style>
body{margin:0;padding:0 16px;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#18181b;background:#f4f4f5}
main{max-width:560px;margin:24px auto;padding:24px;background:#fff;border-radius:8px;overflow-wrap:anywhere}
h1{font-size:22px;margin:0 0 12px}
button{font:inherit;padding:8px 16px;border-radius:6px;border:1px solid #18181b;cursor:pointer;min-height:44px}
button:focus-visible,.done:focus{outline:3px solid #2563eb;outline-offset:2px}
.done{padding:12px;background:#ecfdf5;border-radius:6px}
.muted{color:#71717a}
`

// unsubscribePageTemplate is the unsubscribe page. An alert's button keeps
// its width (flex: none) and its name wraps instead: a German product name
// on two lines squeezed "Entfernen" to "Entferne|n" on a phone. When a row
// says its sign-up date (alertRow.When), the date has a line of its own.
var unsubscribePageTemplate = template.Must(template.New("unsubscribe").Funcs(template.FuncMap{
	"sprintf": fmt.Sprintf,
}).Parse(shopperPageHead + `ul{list-style:none;padding:0;margin:16px 0}
li{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:12px 0;border-top:1px solid #e4e4e7}
li form{margin:0;flex:none}
button{background:#fff;color:#18181b}
.all button{background:#18181b;color:#fff}
.done p{margin:0}
.undo{margin:8px 0 0}
ul.undone{margin:0}
ul.undone li{display:list-item;padding:0;border:0}
.when{display:block;font-size:14px}
</style>
</head>
<body>
<main>
<h1>{{.T.Title}}</h1>
{{- if .Status}}
<p role="alert">{{.Failure}}</p>
{{- else}}
{{- if .Undone}}
<div class="done" role="status" tabindex="-1" autofocus><ul class="undone">
{{- range .UndoneRows}}<li>{{.Product}}{{with .Variant}} ({{.}}){{end}}{{with .When}} {{.}}{{end}}{{$.U.Colon}} {{$.U.Result .Result}}</li>{{end}}
</ul></div>
{{- else if .Removed}}
<div class="done" role="status" tabindex="-1" autofocus><p>{{.RemovedNotice}}</p>
{{- with .Undo}}
<form method="post" class="undo"><input type="hidden" name="undo" value="{{.}}"><button type="submit" aria-describedby="undo-hint">{{$.U.Undo}}</button> <span class="muted" id="undo-hint">{{$.U.Hint}}</span></form>
{{- end}}</div>
{{- end}}
<p>{{sprintf .T.Intro .Alerts.Contact .Alerts.Shop}}</p>
<ul>
{{- range .Rows}}
<li><span>{{.Product}}{{with .Variant}} <span class="muted">({{.}})</span>{{end}}{{with .When}} <span class="muted when">{{.}}</span>{{end}}</span>
{{- if .Active}}
<form method="post"><input type="hidden" name="remove" value="{{.SubscriptionID}}"><button type="submit" aria-label="{{$.T.Remove}}{{$.U.Colon}} {{.Product}}{{with .Variant}} ({{.}}){{end}}{{with .When}} {{.}}{{end}}">{{$.T.Remove}}</button></form>
{{- else}}<span class="muted">{{$.T.Inactive}}</span>{{end}}</li>
{{- end}}
</ul>
{{- if gt .Alerts.Active 1}}
<form method="post" class="all"><input type="hidden" name="remove" value="all"><button type="submit">{{.T.RemoveAll}}</button></form>
{{- else if eq .Alerts.Active 0}}
<p>{{.T.None}}</p>
{{- end}}
{{- end}}
</main>
</body>
</html>
`))

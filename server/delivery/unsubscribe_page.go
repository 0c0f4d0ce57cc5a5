package delivery

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// alertRow is one alert on the unsubscribe page.
type alertRow struct {
	ID      int64
	Product string
	Variant string
	Active  bool
}

// unsubscribePage is what the page template sees.
type unsubscribePage struct {
	Lang    string
	T       pageText
	Shop    string
	Contact string
	Alerts  []alertRow
	Removed string // "", "all" or the id of the alert just removed
	Active  int    // how many alerts are still active
	Status  int    // for error pages
}

// pageText is the wording of the unsubscribe page in one language.
type pageText struct {
	Title, Intro, Remove, RemoveAll, Removed, RemovedAll, Inactive, None, Invalid, Error string
}

var pageTexts = map[string]pageText{
	"en": {"Your back-in-stock alerts", "Alerts for %s at %s:", "Remove", "Remove all alerts", "Alert removed. You will not hear about it again.",
		"All alerts removed. You will not hear from us about them again.", "removed", "You have no active alerts here.",
		"This link is not valid or has expired.", "Something went wrong. Please try again later."},
	"fr": {"Vos alertes de retour en stock", "Alertes pour %s chez %s :", "Retirer", "Retirer toutes les alertes", "Alerte retirée. Vous ne serez plus prévenu pour cet article.",
		"Toutes les alertes ont été retirées.", "retirée", "Vous n'avez plus d'alerte active ici.",
		"Ce lien n'est pas valide ou a expiré.", "Une erreur est survenue. Veuillez réessayer plus tard."},
	"de": {"Ihre Verfügbarkeitsbenachrichtigungen", "Benachrichtigungen für %s bei %s:", "Entfernen", "Alle Benachrichtigungen entfernen", "Benachrichtigung entfernt. Sie hören dazu nichts mehr.",
		"Alle Benachrichtigungen wurden entfernt.", "entfernt", "Sie haben hier keine aktiven Benachrichtigungen.",
		"Dieser Link ist ungültig oder abgelaufen.", "Etwas ist schiefgelaufen. Bitte versuchen Sie es später erneut."},
	"es": {"Tus alertas de disponibilidad", "Alertas de %s en %s:", "Quitar", "Quitar todas las alertas", "Alerta eliminada. No volverás a recibir avisos de este artículo.",
		"Se han eliminado todas las alertas.", "eliminada", "No tienes alertas activas aquí.",
		"Este enlace no es válido o ha caducado.", "Algo ha fallado. Inténtalo de nuevo más tarde."},
}

var pageTemplate = template.Must(template.New("unsubscribe").Funcs(template.FuncMap{
	"sprintf": fmt.Sprintf,
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.T.Title}}</title>
<style>
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#18181b;background:#f4f4f5}
main{max-width:560px;margin:24px auto;padding:24px;background:#fff;border-radius:8px}
h1{font-size:22px;margin:0 0 12px}
ul{list-style:none;padding:0;margin:16px 0}
li{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:12px 0;border-top:1px solid #e4e4e7}
li form{margin:0}
button{font:inherit;padding:8px 16px;border-radius:6px;border:1px solid #18181b;background:#fff;color:#18181b;cursor:pointer;min-height:44px}
button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.all button{background:#18181b;color:#fff}
.done{padding:12px;background:#ecfdf5;border-radius:6px}
.muted{color:#71717a}
</style>
</head>
<body>
<main>
<h1>{{.T.Title}}</h1>
{{- if .Status}}
<p role="alert">{{if eq .Status 500}}{{.T.Error}}{{else}}{{.T.Invalid}}{{end}}</p>
{{- else}}
{{- if eq .Removed "all"}}<p class="done" role="status">{{.T.RemovedAll}}</p>{{else if .Removed}}<p class="done" role="status">{{.T.Removed}}</p>{{end}}
<p>{{sprintf .T.Intro .Contact .Shop}}</p>
<ul>
{{- range .Alerts}}
<li><span>{{.Product}}{{with .Variant}} <span class="muted">({{.}})</span>{{end}}</span>
{{- if .Active}}
<form method="post"><input type="hidden" name="remove" value="{{.ID}}"><button type="submit" aria-label="{{$.T.Remove}}: {{.Product}}">{{$.T.Remove}}</button></form>
{{- else}}<span class="muted">{{$.T.Inactive}}</span>{{end}}</li>
{{- end}}
</ul>
{{- if gt .Active 1}}
<form method="post" class="all"><input type="hidden" name="remove" value="all"><button type="submit">{{.T.RemoveAll}}</button></form>
{{- else if eq .Active 0}}
<p>{{.T.None}}</p>
{{- end}}
{{- end}}
</main>
</body>
</html>
`))

// showPage renders the contact's alerts at the shop.
func (h *UnsubscribeHandler) showPage(w http.ResponseWriter, r *http.Request, sub *stockbell.Subscription, removed string) {
	ctx := r.Context()
	alerts, err := h.contactAlerts(ctx, sub)
	var shop *stockbell.Shop
	if err == nil {
		shop, err = h.Shops.FindShopByID(ctx, sub.ShopID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := language(sub.Locale)
	page := unsubscribePage{Lang: lang, T: pageTexts[lang], Shop: shop.Name, Contact: sub.Email, Removed: removed}
	if page.Contact == "" {
		page.Contact = sub.Phone
	}
	for _, a := range alerts {
		row := alertRow{ID: a.ID, Active: active(a)}
		if v, err := h.Catalog.FindVariantByID(ctx, a.VariantID); err == nil {
			d := variantData(v)
			row.Product, row.Variant = d.ProductTitle, d.Title
		}
		if row.Active {
			page.Active++
		}
		page.Alerts = append(page.Alerts, row)
	}
	writePage(w, http.StatusOK, page)
}

// renderMessage renders the page with only an error message.
func (h *UnsubscribeHandler) renderMessage(w http.ResponseWriter, status int, lang string) {
	writePage(w, status, unsubscribePage{Lang: lang, T: pageTexts[lang], Status: status})
}

func writePage(w http.ResponseWriter, status int, page unsubscribePage) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, page); err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

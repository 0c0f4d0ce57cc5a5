package web

import (
	"net/http"
	"strconv"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// undo restores what a removal from the page ended, as its Undo button
// asks, and shows the page with what became of each alert: 200 when
// something was restored, 410 when the button expired, else 409. A
// browser that says the form came from another site is refused (403): the
// button's token, known only to the page, is the form's real protection.
func (h *unsubscribeHandler) undo(w http.ResponseWriter, r *http.Request, token, undo string) {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		h.fail(w, r, stockbell.Errorf(stockbell.EFORBIDDEN, "An undo posted from another site."), http.StatusForbidden)
		return
	}
	undone, err := h.unsubscribes.Undo(r.Context(), token, undo)
	if err != nil {
		h.fail(w, r, err, 0)
		return
	}
	h.showPage(w, r, token, unsubscribePage{Undone: undone}, undoStatus(undone))
}

// undoStatus is the status of the page that says what an undo did.
func undoStatus(undone []stockbell.UndoneAlert) int {
	status := http.StatusConflict
	for _, a := range undone {
		switch a.Result {
		case stockbell.UndoRestored:
			return http.StatusOK
		case stockbell.UndoExpired:
			status = http.StatusGone
		}
	}
	return status
}

// undoText is the wording of the Undo button and of what an undo did, in
// one language; {hours} stands for the hours an undo is possible.
type undoText struct {
	Undo string
	hint string
	// Colon follows an alert's name before what became of it: ":", or in
	// French a no-break space and ":".
	Colon   string
	results map[stockbell.UndoResult]string
}

// undoHours writes {hours}: stockbell.UnsubscribeUndoWindow in hours.
var undoHours = strings.NewReplacer("{hours}", strconv.Itoa(int(stockbell.UnsubscribeUndoWindow.Hours())))

// Hint says how long the removal can be undone.
func (u undoText) Hint() string { return undoHours.Replace(u.hint) }

// Result says what an undo did for an alert.
func (u undoText) Result(r stockbell.UndoResult) string { return undoHours.Replace(u.results[r]) }

var undoTexts = map[string]undoText{
	"en": {"Undo", "You can undo this for {hours} hours.", ":", map[stockbell.UndoResult]string{
		stockbell.UndoRestored:        "restored: you will be told as before.",
		stockbell.UndoExpired:         "too late to undo: a removal can be undone for {hours} hours. Sign up again on the shop's site.",
		stockbell.UndoSubscribedAgain: "you have signed up for it again since; that sign-up stands.",
		stockbell.UndoVariantGone:     "the shop no longer sells this item.",
		stockbell.UndoNotUndoable:     "cannot be restored (restored already, stopped by a STOP reply, or removed while its alert awaited the shop's approval).",
	}},
	"fr": {"Annuler", "Vous pouvez annuler pendant {hours}\u00a0heures.", "\u00a0:", map[stockbell.UndoResult]string{
		stockbell.UndoRestored:        "rétablie\u00a0: vous recevrez l'alerte comme avant.",
		stockbell.UndoExpired:         "trop tard pour annuler\u00a0: une suppression s'annule pendant {hours}\u00a0heures. Inscrivez-vous de nouveau sur le site de la boutique.",
		stockbell.UndoSubscribedAgain: "vous avez renouvelé votre inscription depuis\u00a0; celle-ci reste valable.",
		stockbell.UndoVariantGone:     "la boutique ne vend plus cet article.",
		stockbell.UndoNotUndoable:     "elle ne peut pas être rétablie (déjà rétablie, arrêtée par une réponse STOP, ou retirée pendant que son alerte attendait l'accord de la boutique).",
	}},
	"de": {"Rückgängig machen", "Sie können dies {hours} Stunden lang rückgängig machen.", ":", map[stockbell.UndoResult]string{
		stockbell.UndoRestored:        "wiederhergestellt: Sie werden wie zuvor benachrichtigt.",
		stockbell.UndoExpired:         "zu spät: Eine Entfernung kann nur {hours} Stunden lang rückgängig gemacht werden. Melden Sie sich auf der Website des Shops erneut an.",
		stockbell.UndoSubscribedAgain: "Sie haben sich inzwischen erneut angemeldet; diese Anmeldung bleibt bestehen.",
		stockbell.UndoVariantGone:     "der Shop verkauft diesen Artikel nicht mehr.",
		stockbell.UndoNotUndoable:     "kann nicht wiederhergestellt werden (bereits wiederhergestellt, per STOP-Antwort beendet oder entfernt, während die Benachrichtigung auf die Freigabe des Shops wartete).",
	}},
	"es": {"Deshacer", "Puedes deshacerlo durante {hours} horas.", ":", map[stockbell.UndoResult]string{
		stockbell.UndoRestored:        "restablecida: te avisaremos como antes.",
		stockbell.UndoExpired:         "es demasiado tarde: una eliminación se puede deshacer durante {hours} horas. Vuelve a suscribirte en la web de la tienda.",
		stockbell.UndoSubscribedAgain: "te has vuelto a suscribir desde entonces; esa suscripción sigue vigente.",
		stockbell.UndoVariantGone:     "la tienda ya no vende este artículo.",
		stockbell.UndoNotUndoable:     "no se puede restablecer (ya restablecida, detenida con una respuesta STOP o eliminada mientras su alerta esperaba la aprobación de la tienda).",
	}},
}

package web

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// alertRow is one row of the unsubscribe page: an alert, and When, which
// says when it was signed up for if another row names the same product
// and variant ("" otherwise). A shopper alerted and then signed up again
// has two alerts for one variant: without it, the rows read the same.
type alertRow struct {
	stockbell.ContactAlert
	When string
}

// Rows are the page's alerts as it lists them.
func (p unsubscribePage) Rows() []alertRow {
	if p.Alerts == nil {
		return nil
	}
	return alertRows(p.Alerts.Alerts, p.Lang)
}

// Named is the row's alert as its Remove button names it: the product,
// its variant and, where the row says it, the sign-up date.
func (r alertRow) Named() string {
	name := r.Product
	if r.Variant != "" {
		name += " (" + r.Variant + ")"
	}
	if r.When != "" {
		name += " " + r.When
	}
	return name
}

// RemovedRow is the row of the alert the page says was just removed, when
// that row says its sign-up date (nil otherwise): the notice then names
// which of the variant's sign-ups went, which "Alert removed" alone does
// not.
func (p unsubscribePage) RemovedRow() *alertRow {
	for _, row := range p.Rows() {
		if row.When != "" && strconv.FormatInt(row.SubscriptionID, 10) == p.Removed {
			return &row
		}
	}
	return nil
}

// RemovedNotice says what the removal the page's address names did: all
// alerts removed, or the one alert, named as its row names it where the
// row says its date, and whether another active alert of the contact's
// (for the same variant, or another of the product) still stands.
func (p unsubscribePage) RemovedNotice() string {
	if p.Removed == "all" {
		return p.T.RemovedAll
	}
	kept := p.keptProduct()
	switch row := p.RemovedRow(); {
	case row != nil && kept != "":
		return fmt.Sprintf(p.T.RemovedWhichKept, row.Named(), kept)
	case row != nil:
		return fmt.Sprintf(p.T.RemovedWhich, row.Named())
	case kept != "":
		return fmt.Sprintf(p.T.RemovedKept, kept)
	}
	return p.T.Removed
}

// keptProduct is the name of the removed alert's product when another of
// the contact's alerts for it is still active; "" otherwise (and for an
// alert whose variant is gone, whose product the page does not know).
func (p unsubscribePage) keptProduct() string {
	if p.Alerts == nil {
		return ""
	}
	i := slices.IndexFunc(p.Alerts.Alerts, func(a stockbell.ContactAlert) bool { return strconv.FormatInt(a.SubscriptionID, 10) == p.Removed })
	if i < 0 || p.Alerts.Alerts[i].ProductID == 0 {
		return ""
	}
	removed := p.Alerts.Alerts[i]
	for _, a := range p.Alerts.Alerts {
		if a.Active && a.SubscriptionID != removed.SubscriptionID && a.ProductID == removed.ProductID {
			return removed.Product
		}
	}
	return ""
}

// undoneRow is one line of what an undo did: the alert, its result, and
// When as the alert's row on the page says it.
type undoneRow struct {
	stockbell.UndoneAlert
	When string
}

// UndoneRows are the lines saying what an undo did, each naming the
// sign-up's date where its row does, so that two sign-ups for one variant
// read apart there too.
func (p unsubscribePage) UndoneRows() []undoneRow {
	rows := p.Rows()
	undone := make([]undoneRow, len(p.Undone))
	for i, a := range p.Undone {
		undone[i].UndoneAlert = a
		at := slices.IndexFunc(rows, func(r alertRow) bool { return r.SubscriptionID == a.SubscriptionID })
		if at >= 0 {
			undone[i].When = rows[at].When
		}
	}
	return undone
}

// alertRows returns the page's rows for the alerts, in the page's language.
// A repeated alert says its sign-up date, and the time (UTC, the page
// knows no time zone of the shopper's) where another of the same variant
// shares that date.
func alertRows(alerts []stockbell.ContactAlert, lang string) []alertRow {
	rows := make([]alertRow, len(alerts))
	for i, a := range alerts {
		rows[i].ContactAlert = a
		if sameVariants(alerts, a, sameAlert) > 1 {
			rows[i].When = signedUpText(a.SignedUpAt, lang, sameVariants(alerts, a, sameDay) > 1)
		}
	}
	return rows
}

// sameVariants counts the alerts naming a's product and variant for which
// same(a, other) holds.
func sameVariants(alerts []stockbell.ContactAlert, a stockbell.ContactAlert, same func(a, b stockbell.ContactAlert) bool) int {
	n := 0
	for _, b := range alerts {
		if b.Product == a.Product && b.Variant == a.Variant && same(a, b) {
			n++
		}
	}
	return n
}

func sameAlert(_, _ stockbell.ContactAlert) bool { return true }

func sameDay(a, b stockbell.ContactAlert) bool {
	return a.SignedUpAt.UTC().Format(time.DateOnly) == b.SignedUpAt.UTC().Format(time.DateOnly)
}

// signedUpText says when an alert was signed up for: "signed up on March
// 1, 2025", with ", 14:00 UTC" when withTime.
func signedUpText(at time.Time, lang string, withTime bool) string {
	at = at.UTC()
	w := signedUpWords[lang]
	text := fmt.Sprintf(w.format, w.date(at.Day(), w.months[at.Month()-1], at.Year()))
	if withTime {
		text += ", " + at.Format(w.clock) + "\u00a0UTC"
	}
	return text
}

// signedUpWord is how one language writes a sign-up's date.
type signedUpWord struct {
	format string // the sentence, %s for the date
	clock  string // the time's layout: French writes 14 h 00, never 14:00
	months [12]string
	date   func(day int, month string, year int) string
}

var signedUpWords = map[string]signedUpWord{
	"en": {"signed up on %s", "15:04", [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"},
		func(d int, m string, y int) string { return fmt.Sprintf("%s %d, %d", m, d, y) }},
	"fr": {"inscription du %s", "15\u00a0h\u00a004", [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"},
		func(d int, m string, y int) string { return fmt.Sprintf("%d\u00a0%s %d", d, m, y) }},
	"de": {"Anmeldung vom %s", "15:04", [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
		"September", "Oktober", "November", "Dezember"},
		func(d int, m string, y int) string { return fmt.Sprintf("%d.\u00a0%s %d", d, m, y) }},
	"es": {"suscripción del %s", "15:04", [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
		"septiembre", "octubre", "noviembre", "diciembre"},
		func(d int, m string, y int) string { return fmt.Sprintf("%d de %s de %d", d, m, y) }},
}

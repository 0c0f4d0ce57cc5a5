package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
)

// ConfirmField is the field a destructive admin form posts once the
// merchant has said yes to the question the server asked (value "yes").
// The question is a page of its own rather than the browser's dialog: the
// admin runs in the Shopify admin's and BigCommerce's frames, where a
// sandbox without allow-modals makes window.confirm answer no without
// showing anything, and it works without JavaScript too.
const ConfirmField = "confirm"

// confirmedByMerchant reports whether the posted form carries the
// merchant's yes.
func confirmedByMerchant(r *http.Request) bool {
	return r.PostFormValue(ConfirmField) == "yes"
}

// actionQuestion is the page that asks before a destructive action: the
// question, the Yes button that posts the same fields again with the
// confirmation, and the page to go back to.
type actionQuestion struct {
	Question string
	// Detail says more about what is asked, when there is more.
	Detail string
	Yes    string
	// Action is the admin path the form posted to, posted to again.
	Action string
	Fields []postedField
	Back   string
	// BackLabel names the page Back leads to ("Keep the batch").
	BackLabel string
	// KeepAction, when set, makes No a button that posts the form's
	// fields back to Back with this action instead of theirs, so that a
	// page whose form holds what was typed (the Flow page's unsaved
	// messages, the Privacy requests page's contact) shows it again, and
	// nothing of it is in a URL; without it, No is a link.
	KeepAction string
}

// Kept are the fields the No button posts back: the form's own, but its
// action, which KeepAction replaces.
func (q actionQuestion) Kept() []postedField {
	return slices.DeleteFunc(slices.Clone(q.Fields), func(f postedField) bool { return f.Name == "action" })
}

// postedField is one value of the form as it was posted.
type postedField struct{ Name, Value string }

// askFirst answers a destructive form posted without the confirmation:
// the question, with the form's own fields to post again. The CSRF token
// is printed by the page itself and a Shopify session token is added, fresh,
// by the admin's script as to every form, so neither is copied.
func (a *Admin) askFirst(w http.ResponseWriter, r *http.Request, s *AdminSession, title string, q actionQuestion) {
	q.Fields = repostedFields(r.PostForm)
	a.Render(w, r, s, http.StatusOK, "confirm_action", title, q)
}

// repostedFields lists the posted form's values in a stable order, leaving
// out the tokens and the confirmation the question's form adds itself.
func repostedFields(form url.Values) []postedField {
	var fields []postedField
	for _, name := range slices.Sorted(maps.Keys(form)) {
		if name == CSRFField || name == "id_token" || name == ConfirmField {
			continue
		}
		for _, value := range form[name] {
			fields = append(fields, postedField{name, value})
		}
	}
	return fields
}

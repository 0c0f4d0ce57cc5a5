package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// registerPrivacy mounts the Privacy requests page: a shopper's access
// and erasure requests answered by the merchant, for the session's shop.
// The contact is always posted, never put in a URL.
func (a *Admin) registerPrivacy() {
	a.Handle("/admin/privacy", a.privacyPage, http.MethodGet, http.MethodPost)
	a.Handle("/admin/privacy/export", a.exportContactData, http.MethodPost)
	a.Handle("/admin/privacy/erase", a.eraseContact, http.MethodPost)
}

// privacyForm is the Privacy requests page: the contact as typed and what
// is wrong with it, field by field.
type privacyForm struct {
	Email, Phone           string
	EmailError, PhoneError string
	// Shopify says the shop's platform sends its own privacy webhooks.
	Shopify bool
}

// privacyPage shows the form, empty or (?subscriber=ID) filled with the
// contact of one of the shop's subscriptions: the subscriber page links
// here by id, so that the contact is never in a URL. Posted (by the No of
// the question asked before erasing, keepEditingAction), it shows the
// posted contact as typed, changing nothing.
func (a *Admin) privacyPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	if r.Method == http.MethodPost {
		a.Render(w, r, s, http.StatusOK, "privacy", "Privacy requests", a.typedPrivacyForm(r, s))
		return
	}
	form := a.newPrivacyForm(s)
	if raw := r.URL.Query().Get("subscriber"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			a.Fail(w, r, s, stockbell.Errorf(stockbell.ENOTFOUND, "No such subscriber."))
			return
		}
		sub, err := a.Subscriptions.FindSubscriptionByID(r.Context(), s.ShopID, id)
		if err != nil {
			a.Fail(w, r, s, err)
			return
		}
		form.Email, form.Phone = sub.Email, sub.Phone
	}
	a.Render(w, r, s, http.StatusOK, "privacy", "Privacy requests", form)
}

func (a *Admin) newPrivacyForm(s *AdminSession) *privacyForm {
	return &privacyForm{Shopify: s.Shop.Platform == stockbell.PlatformShopify}
}

// typedPrivacyForm is the form with the contact as posted, not checked.
func (a *Admin) typedPrivacyForm(r *http.Request, s *AdminSession) *privacyForm {
	form := a.newPrivacyForm(s)
	form.Email, form.Phone = r.PostFormValue("email"), r.PostFormValue("phone")
	return form
}

// postedContact reads the posted contact of the session's shop. A contact
// that is missing or does not normalise is answered here, with the page
// showing each field's error (422), and ok is false.
func (a *Admin) postedContact(w http.ResponseWriter, r *http.Request, s *AdminSession) (c stockbell.Contact, ok bool) {
	form := a.typedPrivacyForm(r, s)
	c, ok = form.contact(s.ShopID)
	if !ok {
		a.Render(w, r, s, http.StatusUnprocessableEntity, "privacy", "Privacy requests", form)
	}
	return c, ok
}

// contact validates the form's email address and phone number (in
// international form) as the storefront does, and returns them normalised
// as subscriptions store them. At least one is needed.
func (f *privacyForm) contact(shopID int64) (stockbell.Contact, bool) {
	c := stockbell.Contact{ShopID: shopID}
	email, phone := strings.TrimSpace(f.Email), strings.TrimSpace(f.Phone)
	if email == "" && phone == "" {
		f.EmailError = "Enter the shopper’s email address or phone number (or both)."
		return c, false
	}
	var err error
	if email != "" {
		if c.Email, err = contact.NormalizeEmail(email); err != nil {
			f.EmailError = stockbell.ErrorMessage(err)
		}
	}
	if phone != "" {
		if c.Phone, err = contact.NormalizePhone(phone, ""); err != nil {
			f.PhoneError = stockbell.ErrorMessage(err)
		}
	}
	return c, f.EmailError == "" && f.PhoneError == ""
}

// contactExport is the downloaded answer to an access request: the shop,
// when it was made, and what Stockbell keeps about the contact there, as
// a Shopify customers/data_request is answered.
type contactExport struct {
	Shop       string                 `json:"shop"`
	ExportedAt time.Time              `json:"exported_at"`
	Data       *stockbell.ContactData `json:"data"`
}

// exportContactData answers a JSON file of everything the shop keeps about
// the posted contact. A contact nothing is kept about gets the same
// document with empty lists: it is the answer the merchant gives.
func (a *Admin) exportContactData(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	c, ok := a.postedContact(w, r, s)
	if !ok {
		return
	}
	data, err := a.Privacy.ContactData(r.Context(), c)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	now := a.Clock.Now().UTC()
	body, err := json.MarshalIndent(contactExport{Shop: s.Shop.Domain, ExportedAt: now, Data: data}, "", "  ")
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	name := fmt.Sprintf("stockbell-contact-data-%s-%s.json", exportName(s.Shop.Domain), now.Format("20060102-150405"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(append(body, '\n'))
	a.logPrivacy(r.Context(), s, "contact data exported by merchant", c, data)
}

// eraseContact erases the posted contact's data in the session's shop (for
// a Shopify shop, the answers to its data requests kept for the merchant
// too) once the merchant has confirmed it, and says whether there was any.
func (a *Admin) eraseContact(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	c, ok := a.postedContact(w, r, s)
	if !ok {
		return
	}
	if !confirmedByMerchant(r) {
		a.askFirst(w, r, s, "Erase their data?", actionQuestion{
			Question: "Erase everything this shop keeps about this shopper?",
			Detail:   "Their subscriptions, messages and history are deleted and cannot be restored.",
			Yes:      "Yes, erase their data", Action: "/admin/privacy/erase",
			// No posts the contact back, so that it need not be typed again.
			Back: "/admin/privacy", BackLabel: "No, back to Privacy requests", KeepAction: keepEditingAction,
		})
		return
	}
	kept, err := a.Privacy.ContactData(r.Context(), c)
	if err == nil && a.DataRequests != nil && s.Shop.Platform == stockbell.PlatformShopify {
		// The answers are kept by domain: only a Shopify shop's are its own.
		err = a.DataRequests.EraseContactRequests(r.Context(), s.Shop, c)
	}
	if err == nil {
		err = a.Privacy.RedactContact(r.Context(), c)
	}
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	a.logPrivacy(r.Context(), s, "contact erased by merchant", c, kept)
	notice := "privacy_erased"
	if len(kept.Subscriptions)+len(kept.Messages)+len(kept.Events)+len(kept.Confirmations)+len(kept.StoredTexts) == 0 {
		notice = "privacy_nothing_kept"
	}
	a.Redirect(w, r, s, "/admin/privacy", "notice", notice)
}

// logPrivacy records a privacy request answered in the admin: the shop, who
// answered it and how much it covered, never the shopper's contact.
func (a *Admin) logPrivacy(ctx context.Context, s *AdminSession, msg string, c stockbell.Contact, data *stockbell.ContactData) {
	by := "email"
	switch {
	case c.Email != "" && c.Phone != "":
		by = "email and phone"
	case c.Phone != "":
		by = "phone"
	}
	a.Logger.InfoContext(ctx, msg, "shop_id", s.ShopID, "door", s.Door, "user_id", s.User.ID, "user", sessionDecider(s).Label(),
		"contact_by", by, "subscriptions", len(data.Subscriptions), "messages", len(data.Messages), "events", len(data.Events),
		"stored_texts", len(data.StoredTexts))
}

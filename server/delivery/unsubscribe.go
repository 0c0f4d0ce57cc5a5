package delivery

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"

	stockbell "github.com/stockbell/stockbell"
)

// ShopFinder finds a shop by id (stockbell.ShopService has it).
type ShopFinder interface {
	FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error)
}

// VariantFinder finds a variant with its product (stockbell.CatalogService has it).
type VariantFinder interface {
	FindVariantByID(ctx context.Context, id int64) (*stockbell.VariantWithProduct, error)
}

// UnsubscribeHandler serves /unsubscribe/{token}, no login needed: the
// signed token is the proof.
//
//   - GET shows the contact's alerts at the token's shop, each with a
//     button to remove it and one to remove them all.
//   - POST with List-Unsubscribe=One-Click (RFC 8058, sent by mail
//     clients from the List-Unsubscribe-Post header) unsubscribes the
//     token's subscription and answers 200.
//   - POST with remove={id} or remove=all (the page's buttons) removes one
//     or all of the contact's alerts and shows the page again.
type UnsubscribeHandler struct {
	Signer        *Signer
	Subscriptions stockbell.SubscriptionService
	Shops         ShopFinder
	Catalog       VariantFinder
	Logger        *slog.Logger
}

// maxUnsubscribeBody bounds a POST body: the forms are a few bytes.
const maxUnsubscribeBody = 16 << 10

// ServeHTTP implements http.Handler.
func (h *UnsubscribeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak to image hosts
	w.Header().Set("X-Robots-Tag", "noindex")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	token, err := h.Signer.ParseUnsubscribeToken(path.Base(r.URL.Path))
	var sub *stockbell.Subscription
	if err == nil {
		sub, err = h.tokenSubscription(r.Context(), token)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodPost {
		h.post(w, r, sub)
		return
	}
	h.showPage(w, r, sub, r.URL.Query().Get("removed"))
}

// tokenSubscription loads the token's subscription; a subscription erased
// since, or of another shop, makes the link invalid.
func (h *UnsubscribeHandler) tokenSubscription(ctx context.Context, token UnsubscribeToken) (*stockbell.Subscription, error) {
	sub, err := h.Subscriptions.FindSubscriptionByID(ctx, token.SubscriptionID)
	if err == nil && sub.ShopID != token.ShopID {
		err = stockbell.Errorf(stockbell.ENOTFOUND, "subscription %d is not of shop %d", token.SubscriptionID, token.ShopID)
	}
	return sub, err
}

func (h *UnsubscribeHandler) post(w http.ResponseWriter, r *http.Request, sub *stockbell.Subscription) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUnsubscribeBody)
	if err := r.ParseMultipartForm(maxUnsubscribeBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return
	}
	if r.PostFormValue("List-Unsubscribe") == "One-Click" {
		if err := h.Subscriptions.Unsubscribe(r.Context(), sub.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Unsubscribed.\n"))
		return
	}
	removed, err := h.remove(r.Context(), sub, r.PostFormValue("remove"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, r.URL.Path+"?removed="+url.QueryEscape(removed), http.StatusSeeOther)
}

// remove unsubscribes one of the contact's alerts at the shop ("all": every
// one of them) and returns what was removed.
func (h *UnsubscribeHandler) remove(ctx context.Context, sub *stockbell.Subscription, which string) (string, error) {
	alerts, err := h.contactAlerts(ctx, sub)
	if err != nil {
		return "", err
	}
	id, _ := strconv.ParseInt(which, 10, 64)
	if which != "all" && !slices.ContainsFunc(alerts, func(a *stockbell.Subscription) bool { return a.ID == id }) {
		return "", stockbell.FieldErrorf("remove", "Choose an alert to remove.")
	}
	for _, a := range alerts {
		if (which == "all" || a.ID == id) && active(a) {
			if err := h.Subscriptions.Unsubscribe(ctx, a.ID); err != nil {
				return "", err
			}
		}
	}
	return which, nil
}

// contactAlerts returns the subscriptions at sub's shop with sub's email or
// phone, oldest first, sub included.
func (h *UnsubscribeHandler) contactAlerts(ctx context.Context, sub *stockbell.Subscription) ([]*stockbell.Subscription, error) {
	seen := map[int64]bool{}
	var alerts []*stockbell.Subscription
	filters := []stockbell.SubscriptionFilter{}
	if sub.Email != "" {
		filters = append(filters, stockbell.SubscriptionFilter{ShopID: &sub.ShopID, Email: &sub.Email, Limit: 200})
	}
	if sub.Phone != "" {
		filters = append(filters, stockbell.SubscriptionFilter{ShopID: &sub.ShopID, Phone: &sub.Phone, Limit: 200})
	}
	for _, f := range filters {
		found, _, err := h.Subscriptions.FindSubscriptions(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range found {
			if !seen[a.ID] {
				seen[a.ID] = true
				alerts = append(alerts, a)
			}
		}
	}
	if !seen[sub.ID] {
		alerts = append(alerts, sub)
	}
	slices.SortFunc(alerts, func(a, b *stockbell.Subscription) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return alerts, nil
}

// active reports whether an alert may still send something.
func active(s *stockbell.Subscription) bool {
	return s.Status == stockbell.SubscriptionQueued || s.Status == stockbell.SubscriptionNotified
}

func (h *UnsubscribeHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch stockbell.ErrorCode(err) {
	case stockbell.EUNAUTHORIZED, stockbell.ENOTFOUND:
		status = http.StatusNotFound
	case stockbell.EINVALID:
		status = http.StatusBadRequest
	default:
		h.logger().ErrorContext(r.Context(), "unsubscribe", "err", err)
	}
	h.renderMessage(w, status, language(r.Header.Get("Accept-Language")))
}

func (h *UnsubscribeHandler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

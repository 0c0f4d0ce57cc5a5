package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// Paging of GET /api/v1/subscriptions.
const (
	defaultAPIPageSize = 100
	maxAPIPageSize     = 500
)

// apiSubscription is the JSON of one subscription; variant_id is the
// platform's id of the variant, as the storefront names it.
type apiSubscription struct {
	ID           int64                        `json:"id"`
	Status       stockbell.SubscriptionStatus `json:"status"`
	VariantID    string                       `json:"variant_id"`
	ProductID    string                       `json:"product_id"`
	ProductTitle string                       `json:"product_title"`
	VariantTitle string                       `json:"variant_title"`
	Email        string                       `json:"email,omitempty"`
	Phone        string                       `json:"phone,omitempty"`
	Channels     stockbell.Channels           `json:"channels"`
	// AwaitingConfirmation are the channels not confirmed yet (double opt-in).
	AwaitingConfirmation stockbell.Channels `json:"awaiting_confirmation,omitempty"`
	Locale               string             `json:"locale,omitempty"`
	SMSConsent           bool               `json:"sms_consent"`
	MarketingConsent     bool               `json:"marketing_consent"`
	Source               string             `json:"source"`
	CreatedAt            time.Time          `json:"created_at"`
	NotifiedAt           *time.Time         `json:"notified_at,omitempty"`
	// QuietHoursUntil is when a text to them held for their quiet hours
	// goes, the first if several are; absent when none is held.
	QuietHoursUntil *time.Time `json:"quiet_hours_until,omitempty"`
}

func apiSubscriptionOf(s *stockbell.Subscription, v *stockbell.VariantWithProduct) apiSubscription {
	return apiSubscription{ID: s.ID, Status: s.Status, VariantID: v.PlatformID, ProductID: v.ProductPlatformID,
		ProductTitle: v.ProductTitle, VariantTitle: v.Title, Email: s.Email, Phone: s.Phone, Channels: s.Channels,
		AwaitingConfirmation: s.Awaiting, Locale: s.Locale, SMSConsent: s.SMSConsent, MarketingConsent: s.MarketingConsent, Source: s.Source,
		CreatedAt: s.CreatedAt, NotifiedAt: s.NotifiedAt}
}

// subscriptionPage is a page of the list; NextCursor, when set, is the
// "after" of the next page.
type subscriptionPage struct {
	Subscriptions []apiSubscription `json:"subscriptions"`
	NextCursor    *string           `json:"next_cursor"`
}

// listSubscriptions lists the shop's subscriptions in the order they were
// made, filtered by status, variant (platform id) and contact (email or
// phone), a page at a time: ?after=CURSOR&limit=N.
func (a *API) listSubscriptions(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	filter, err := a.subscriptionFilter(r.Context(), key.ShopID, r.URL.Query())
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	limit := filter.Limit
	filter.Limit++ // one more tells whether there is a next page
	subs, _, err := a.Subscriptions.FindSubscriptions(r.Context(), filter)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	page := subscriptionPage{Subscriptions: []apiSubscription{}}
	if len(subs) > limit {
		subs = subs[:limit]
		cursor := strconv.FormatInt(subs[limit-1].ID, 10)
		page.NextCursor = &cursor
	}
	held, err := a.heldTexts(r.Context(), key.ShopID, subs)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	variants := map[int64]*stockbell.VariantWithProduct{}
	for _, s := range subs {
		v, err := a.variantOf(r.Context(), variants, key.ShopID, s.VariantID)
		if err != nil {
			a.server.Error(w, r, err)
			return
		}
		sub := apiSubscriptionOf(s, v)
		if h, ok := held[s.ID]; ok {
			until := h.Until.UTC()
			sub.QuietHoursUntil = &until
		}
		page.Subscriptions = append(page.Subscriptions, sub)
	}
	WriteJSON(w, http.StatusOK, page)
}

// heldTexts are the texts of a page of the shop's subscriptions held for
// quiet hours (nothing without a message service).
func (a *API) heldTexts(ctx context.Context, shopID int64, subs []*stockbell.Subscription) (map[int64]heldText, error) {
	if a.Messages == nil {
		return nil, nil
	}
	settings, err := a.Settings.FindSettings(ctx, shopID)
	if err != nil {
		return nil, err
	}
	return heldTexts(ctx, a.Messages, settings, shopID, subs, a.Clock.Now())
}

// variantOf finds one of the shop's variants once per page.
func (a *API) variantOf(ctx context.Context, seen map[int64]*stockbell.VariantWithProduct, shopID, id int64) (*stockbell.VariantWithProduct, error) {
	if v, ok := seen[id]; ok {
		return v, nil
	}
	v, err := a.Catalog.FindVariantByID(ctx, shopID, id)
	seen[id] = v
	return v, err
}

// statusChoices names every subscription status: "queued, …, held or
// cancelled".
func statusChoices() string {
	names := make([]string, len(stockbell.SubscriptionStatuses))
	for i, s := range stockbell.SubscriptionStatuses {
		names[i] = string(s)
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " or " + names[last]
}

// subscriptionFilter reads the list's query: status, variant, contact,
// after and limit. A bad value is EINVALID naming its parameter.
func (a *API) subscriptionFilter(ctx context.Context, shopID int64, q url.Values) (stockbell.SubscriptionFilter, error) {
	zero := int64(0)
	filter := stockbell.SubscriptionFilter{ShopID: &shopID, AfterID: &zero, Limit: defaultAPIPageSize}
	if status := q.Get("status"); status != "" {
		s := stockbell.SubscriptionStatus(status)
		if !slices.Contains(stockbell.SubscriptionStatuses, s) {
			return filter, stockbell.FieldErrorf("status", "status must be %s, got %q.", statusChoices(), status)
		}
		filter.Status = &s
	}
	if err := a.filterVariant(ctx, &filter, q.Get("variant")); err != nil {
		return filter, err
	}
	filterContact(&filter, q.Get("contact"))
	if after := q.Get("after"); after != "" {
		id, err := strconv.ParseInt(after, 10, 64)
		if err != nil || id < 0 {
			return filter, stockbell.FieldErrorf("after", "after must be the next_cursor of the previous page, got %q.", after)
		}
		filter.AfterID = &id
	}
	if limit := q.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > maxAPIPageSize {
			return filter, stockbell.FieldErrorf("limit", "limit must be a whole number from 1 to %d, got %q.", maxAPIPageSize, limit)
		}
		filter.Limit = n
	}
	return filter, nil
}

// filterVariant selects one variant by its platform id; an unknown one
// matches nothing (an empty page, as for any filter that matches nothing).
func (a *API) filterVariant(ctx context.Context, filter *stockbell.SubscriptionFilter, platformID string) error {
	if platformID = strings.TrimSpace(platformID); platformID == "" {
		return nil
	}
	v, err := a.Catalog.FindVariant(ctx, *filter.ShopID, platformID)
	id := int64(-1)
	if err == nil {
		id = v.ID
	} else if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return err
	}
	filter.VariantID = &id
	return nil
}

// filterContact selects an email address (anything with an @) or a phone
// number, in the canonical form subscriptions store.
func filterContact(filter *stockbell.SubscriptionFilter, raw string) {
	if raw = strings.TrimSpace(raw); raw == "" {
		return
	}
	if strings.Contains(raw, "@") {
		email := contact.CanonicalEmail(raw)
		filter.Email = &email
		return
	}
	phone := contact.CanonicalPhone(raw)
	filter.Phone = &phone
}

// refuseStorefrontFields refuses the storefront request's fields that the
// API has no use for: the shop is the key's, and bot traps catch no one here.
func refuseStorefrontFields(req *subscriptionRequest) error {
	for field, value := range map[string]string{"shop": req.Shop, "website": req.Website, "hp": req.Honeypot} {
		if value != "" {
			return stockbell.FieldErrorf(field, "Unknown field %q: the shop is the API key's.", field)
		}
	}
	return nil
}

// createSubscription adds a subscriber for a variant of the shop, validated
// as the storefront validates one (source "api"); an in-stock variant may
// be subscribed to (the restock engine decides at once). 201 when made, 200
// with the subscription when the contact already waits for the variant.
func (a *API) createSubscription(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	body, err := readBody(w, r, maxAPIBody)
	var req *subscriptionRequest
	if err == nil {
		req, err = decodeSubscriptionRequest(body, true)
	}
	if err == nil {
		err = refuseStorefrontFields(req)
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	create, err := validateSubscription(&stockbell.Shop{ID: key.ShopID}, req)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	variant, err := notifiableVariant(r.Context(), a.Catalog.FindVariant, key.ShopID, req.platformVariantID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	create.VariantID, create.Source = variant.ID, "api"
	sub, created, err := a.Subscriptions.CreateSubscription(r.Context(), create)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		if a.Metrics != nil {
			a.Metrics.SubscriptionCreated(sub.Channels)
		}
	}
	WriteJSON(w, status, map[string]apiSubscription{"subscription": apiSubscriptionOf(sub, variant)})
}

// deleteSubscription takes a queued subscription of the shop out of the
// queue, or a held one out of its batch (status cancelled), as the admin's
// "remove" does; another shop's id is 404 and changes nothing.
func (a *API) deleteSubscription(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	id, err := pathID(r)
	if err == nil {
		_, err = a.Subscribers.RemoveSubscription(r.Context(), key.ShopID, id, stockbell.AdminUser{Name: "API key " + key.Name})
	}
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

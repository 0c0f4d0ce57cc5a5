package delivery

import (
	"context"
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

// Unsubscribes is what an unsubscribe link (/unsubscribe/{token}) does, no
// login needed: the signed token is the proof. The server's web layer
// serves it; every method returns ENOTFOUND or EUNAUTHORIZED for a token
// that is not valid, names a subscription erased since, or names another
// shop's.
type Unsubscribes struct {
	Signer        *Signer
	Subscriptions stockbell.SubscriptionService
	Shops         ShopFinder
	Catalog       VariantFinder
}

// ContactAlerts returns the alerts of the token's contact at its shop,
// oldest first.
func (u *Unsubscribes) ContactAlerts(ctx context.Context, token string) (*stockbell.ContactAlerts, error) {
	sub, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return nil, err
	}
	alerts, err := u.contactAlerts(ctx, sub)
	if err != nil {
		return nil, err
	}
	shop, err := u.Shops.FindShopByID(ctx, sub.ShopID)
	if err != nil {
		return nil, err
	}
	list := &stockbell.ContactAlerts{Language: Language(sub.Locale), Shop: shop.Name, Contact: sub.Email}
	if list.Contact == "" {
		list.Contact = sub.Phone
	}
	for _, a := range alerts {
		row := stockbell.ContactAlert{SubscriptionID: a.ID, Active: active(a)}
		if v, err := u.Catalog.FindVariantByID(ctx, a.VariantID); err == nil {
			d := variantData(v)
			row.Product, row.Variant = d.ProductTitle, d.Title
		}
		if row.Active {
			list.Active++
		}
		list.Alerts = append(list.Alerts, row)
	}
	return list, nil
}

// OneClick unsubscribes the token's own subscription, as a mail client's
// List-Unsubscribe=One-Click POST asks (RFC 8058). Doing it twice is harmless.
func (u *Unsubscribes) OneClick(ctx context.Context, token string) error {
	sub, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return err
	}
	return u.Subscriptions.Unsubscribe(ctx, sub.ID)
}

// Remove unsubscribes one of the contact's alerts at the shop (which is its
// id) or every one of them (which is "all"). It returns EINVALID naming
// "remove" for anything else, including another contact's alert.
func (u *Unsubscribes) Remove(ctx context.Context, token, which string) error {
	sub, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return err
	}
	alerts, err := u.contactAlerts(ctx, sub)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(which, 10, 64)
	if which != "all" && !slices.ContainsFunc(alerts, func(a *stockbell.Subscription) bool { return a.ID == id }) {
		return stockbell.FieldErrorf("remove", "Choose an alert to remove.")
	}
	for _, a := range alerts {
		if (which == "all" || a.ID == id) && active(a) {
			if err := u.Subscriptions.Unsubscribe(ctx, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// tokenSubscription verifies the token and loads its subscription; a
// subscription erased since, or of another shop, makes the link invalid.
func (u *Unsubscribes) tokenSubscription(ctx context.Context, raw string) (*stockbell.Subscription, error) {
	token, err := u.Signer.ParseUnsubscribeToken(raw)
	if err != nil {
		return nil, err
	}
	sub, err := u.Subscriptions.FindSubscriptionByID(ctx, token.SubscriptionID)
	if err == nil && sub.ShopID != token.ShopID {
		err = stockbell.Errorf(stockbell.ENOTFOUND, "subscription %d is not of shop %d", token.SubscriptionID, token.ShopID)
	}
	return sub, err
}

// contactAlerts returns the subscriptions at sub's shop with sub's email or
// phone, oldest first, sub included.
func (u *Unsubscribes) contactAlerts(ctx context.Context, sub *stockbell.Subscription) ([]*stockbell.Subscription, error) {
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
		found, _, err := u.Subscriptions.FindSubscriptions(ctx, f)
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

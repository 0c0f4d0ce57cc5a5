package delivery

import (
	"context"
	"slices"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ShopFinder finds a shop by id (stockbell.ShopService has it).
type ShopFinder interface {
	FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error)
}

// VariantFinder finds a variant with its product (stockbell.CatalogService has it).
type VariantFinder interface {
	FindVariantByID(ctx context.Context, shopID, id int64) (*stockbell.VariantWithProduct, error)
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
	Clock         stockbell.Clock // dates the Undo buttons
}

// ContactAlerts returns the alerts of the token's contact at its shop,
// oldest first: those of the email address the link was mailed to, or of
// the phone number it was texted to — never the other contact's.
func (u *Unsubscribes) ContactAlerts(ctx context.Context, token string) (*stockbell.ContactAlerts, error) {
	sub, contact, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return nil, err
	}
	alerts, err := u.contactAlerts(ctx, sub, contact)
	if err != nil {
		return nil, err
	}
	shop, err := u.Shops.FindShopByID(ctx, sub.ShopID)
	if err != nil {
		return nil, err
	}
	list := &stockbell.ContactAlerts{Language: Language(sub.Locale), Shop: shop.Name, Contact: contact.value}
	for _, a := range alerts {
		row := u.contactAlert(ctx, a)
		if row.Active {
			list.Active++
		}
		list.Alerts = append(list.Alerts, row)
	}
	return list, nil
}

// contactAlert is a subscription as the page lists it: its product and
// variant (none when the variant is gone), when it was made and whether it
// is active.
func (u *Unsubscribes) contactAlert(ctx context.Context, a *stockbell.Subscription) stockbell.ContactAlert {
	row := stockbell.ContactAlert{SubscriptionID: a.ID, Active: active(a), SignedUpAt: a.CreatedAt}
	if v, err := u.Catalog.FindVariantByID(ctx, a.ShopID, a.VariantID); err == nil {
		d := variantData(v)
		row.ProductID, row.Product, row.Variant = v.ProductID, d.ProductTitle, d.Title
	}
	return row
}

// OneClick unsubscribes the token's own subscription, as a mail client's
// List-Unsubscribe=One-Click POST asks (RFC 8058). Doing it twice is harmless.
func (u *Unsubscribes) OneClick(ctx context.Context, token string) error {
	sub, _, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return err
	}
	return u.Subscriptions.Unsubscribe(ctx, sub.ShopID, sub.ID)
}

// Remove unsubscribes one of the contact's alerts at the shop (which is its
// id) or every one of them (which is "all"), and returns the token of an
// Undo button for those it ended ("" when it ended none): not those a
// one-click unsubscribe ended first, while it ran. It returns
// EINVALID naming "remove" for anything else, including another contact's
// alert.
func (u *Unsubscribes) Remove(ctx context.Context, token, which string) (string, error) {
	sub, contact, err := u.tokenSubscription(ctx, token)
	if err != nil {
		return "", err
	}
	alerts, err := u.contactAlerts(ctx, sub, contact)
	if err != nil {
		return "", err
	}
	id, _ := strconv.ParseInt(which, 10, 64)
	if which != "all" && !slices.ContainsFunc(alerts, func(a *stockbell.Subscription) bool { return a.ID == id }) {
		return "", stockbell.FieldErrorf("remove", "Choose an alert to remove.")
	}
	// The button names when the removal started as well: an unsubscribe
	// of its alerts recorded before then is not the removal's, whatever
	// the button names.
	started := u.Clock.Now().Truncate(time.Microsecond)
	var ended []int64
	for _, a := range alerts {
		if (which == "all" || a.ID == id) && active(a) {
			// An alert ended by a one-click unsubscribe since the read,
			// before this removal reached it, is not this removal's: its
			// Undo must not name it.
			endedHere, err := u.Subscriptions.EndSubscription(ctx, sub.ShopID, a.ID)
			if err != nil {
				return "", err
			}
			if endedHere {
				ended = append(ended, a.ID)
			}
		}
	}
	if len(ended) == 0 {
		return "", nil
	}
	expires := u.Clock.Now().Add(stockbell.UnsubscribeUndoWindow)
	return u.Signer.UndoToken(UndoToken{ShopID: sub.ShopID, Expires: expires, SubscriptionIDs: ended, Started: started}), nil
}

// linkContact is whom an unsubscribe link speaks for: the email address
// or the phone number its message went to.
type linkContact struct {
	channel stockbell.Channel
	value   string
}

// tokenSubscription verifies the token and loads its subscription and the
// contact the link was sent to; a subscription erased since, or of another
// shop, makes the link invalid.
func (u *Unsubscribes) tokenSubscription(ctx context.Context, raw string) (*stockbell.Subscription, linkContact, error) {
	token, err := u.Signer.ParseUnsubscribeToken(raw)
	if err != nil {
		return nil, linkContact{}, err
	}
	sub, err := u.Subscriptions.FindSubscriptionByID(ctx, token.ShopID, token.SubscriptionID)
	if err != nil {
		return nil, linkContact{}, err
	}
	contact := linkContact{channel: stockbell.ChannelEmail, value: sub.Email}
	if token.Channel == stockbell.ChannelSMS || (token.Channel == "" && sub.Email == "") {
		contact = linkContact{channel: stockbell.ChannelSMS, value: sub.Phone}
	}
	return sub, contact, nil
}

// contactAlerts returns the subscriptions at sub's shop of the link's
// contact (the same email address, or the same phone number), oldest first,
// sub included.
func (u *Unsubscribes) contactAlerts(ctx context.Context, sub *stockbell.Subscription, contact linkContact) ([]*stockbell.Subscription, error) {
	alerts := []*stockbell.Subscription{}
	if contact.value != "" {
		filter := stockbell.SubscriptionFilter{ShopID: &sub.ShopID}
		if contact.channel == stockbell.ChannelSMS {
			filter.Phone = &contact.value
		} else {
			filter.Email = &contact.value
		}
		found, err := u.allSubscriptions(ctx, filter)
		if err != nil {
			return nil, err
		}
		alerts = found
	}
	if !slices.ContainsFunc(alerts, func(a *stockbell.Subscription) bool { return a.ID == sub.ID }) {
		alerts = append(alerts, sub)
	}
	slices.SortFunc(alerts, func(a, b *stockbell.Subscription) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return alerts, nil
}

// alertsPage is how many subscriptions allSubscriptions reads at a time.
const alertsPage = 200

// allSubscriptions returns every subscription the filter matches, read a
// page at a time by id: "Remove all alerts" must reach a contact's every
// alert, not only a first page of them.
func (u *Unsubscribes) allSubscriptions(ctx context.Context, filter stockbell.SubscriptionFilter) ([]*stockbell.Subscription, error) {
	var all []*stockbell.Subscription
	var after int64 // from the start, in order of id (without a cursor the order is by time)
	filter.AfterID, filter.Limit = &after, alertsPage
	for {
		page, _, err := u.Subscriptions.FindSubscriptions(ctx, filter)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < alertsPage {
			return all, nil
		}
		filter.AfterID = &page[len(page)-1].ID
	}
}

// active reports whether an alert may still send something (a held one
// does once its batch is approved).
func active(s *stockbell.Subscription) bool {
	switch s.Status {
	case stockbell.SubscriptionQueued, stockbell.SubscriptionPending, stockbell.SubscriptionHeld, stockbell.SubscriptionNotified:
		return true
	}
	return false
}

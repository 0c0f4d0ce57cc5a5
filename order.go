package stockbell

import (
	"context"
	"strings"
	"time"
)

// Order is a platform's order, reduced to what conversion attribution
// needs. Every platform integration builds one from its "order created"
// webhook and hands it to ConversionService.RecordOrder.
type Order struct {
	ShopID int64
	// PlatformID is the platform's id of the order; an order is counted
	// once per shop and id however often its webhook is delivered.
	PlatformID string
	// Email and Phone are the customer's contact details (either may be
	// empty), matched against subscribers' normalised contacts: the email
	// is compared case-insensitively, the phone in E.164 form.
	Email string
	Phone string
	Lines []OrderLine
	// Total is the order's total and Currency its ISO 4217 code; line
	// prices are in the same currency.
	Total    Amount
	Currency string
	// CreatedAt is when the platform says the order was placed.
	CreatedAt time.Time
}

// OrderLine is one line of an order.
type OrderLine struct {
	// VariantPlatformID is the platform's id of the variant bought (as in
	// Variant.PlatformID); lines without one (custom items) never convert.
	VariantPlatformID string
	Quantity          int
	// Price is the unit price, in the order's currency.
	Price Amount
}

// Validate returns an EINVALID error naming the first field that is wrong.
func (o *Order) Validate() error {
	switch {
	case o.ShopID == 0:
		return FieldErrorf("shop_id", "The order names no shop.")
	case strings.TrimSpace(o.PlatformID) == "":
		return FieldErrorf("id", "The order has no id.")
	case o.CreatedAt.IsZero():
		return FieldErrorf("created_at", "The order has no creation time.")
	case len(o.Lines) > 0 && strings.TrimSpace(o.Currency) == "":
		return FieldErrorf("currency", "The order has no currency.")
	case len(o.Lines) > 0 && NormalizeCurrency(o.Currency) == "":
		return FieldErrorf("currency", "The order's currency %q is not an ISO 4217 code such as EUR.", o.Currency)
	}
	for _, line := range o.Lines {
		if line.Quantity < 0 || line.Price < 0 {
			return FieldErrorf("line_items", "Order line %s has a negative quantity or price.", line.VariantPlatformID)
		}
	}
	return nil
}

// DefaultAttributionWindow is how long after a notification an order
// counts as its conversion, until the shop sets its own window.
const DefaultAttributionWindow = 7 * 24 * time.Hour

// Attribution says why an order counts as a notification's conversion.
type Attribution string

// Attributions.
const (
	// AttributedToNotification: the notified contact ordered the variant
	// within the attribution window of the notification.
	AttributedToNotification Attribution = "notification"
	// AttributedToClick: the contact clicked the notification's link
	// within the window of the notification, then ordered within the
	// window of that click.
	AttributedToClick Attribution = "click"
)

// Conversion is one notification that an order converted: the subscriber
// bought the variant they were told is back.
type Conversion struct {
	ID             int64       `db:"id" json:"id"`
	ShopID         int64       `db:"shop_id" json:"shop_id"`
	SubscriptionID int64       `db:"subscription_id" json:"subscription_id"`
	VariantID      int64       `db:"variant_id" json:"variant_id"`
	MessageID      int64       `db:"message_id" json:"message_id"`
	OrderID        string      `db:"order_id" json:"order_id"` // the platform's order id
	Quantity       int         `db:"quantity" json:"quantity"`
	Revenue        Amount      `db:"revenue" json:"revenue"` // quantity × unit price of the variant's lines
	Currency       string      `db:"currency" json:"currency"`
	Via            Attribution `db:"via" json:"via"`
	NotifiedAt     time.Time   `db:"notified_at" json:"notified_at"`
	OrderedAt      time.Time   `db:"ordered_at" json:"ordered_at"`
	CreatedAt      time.Time   `db:"created_at" json:"created_at"`
}

// ConversionService records the orders that notifications earned.
type ConversionService interface {
	// RecordOrder attributes the order to the notifications it follows and
	// records each conversion once, with an EventConverted event, in one
	// transaction. An order from a contact never notified, or outside the
	// shop's attribution window, records nothing; so does the same order
	// recorded again (a retried webhook). Returns EINVALID naming the field
	// for a malformed order and ENOTFOUND for an unknown shop.
	RecordOrder(ctx context.Context, order Order) error
}

// Notice is a notification an order may convert: the first message sent
// to a subscriber for a variant, and the clicks on its links.
type Notice struct {
	SubscriptionID int64
	VariantID      int64
	MessageID      int64
	Email          string
	Phone          string
	SentAt         time.Time
	Clicks         []time.Time
}

// AttributeOrder decides which notices the order converts. variantIDs maps
// the order lines' platform variant ids to variant ids. For each variant
// bought, the notice counts when it went to the order's contact (same email
// or same phone) and the order came within window of it — or within window
// of a click on it made within window of it. When several notices of one
// variant qualify, the latest counts; each variant converts once per order.
// The conversion's quantity and revenue are those of the variant's lines.
func AttributeOrder(order Order, variantIDs map[string]int64, notices []Notice, window time.Duration) []Conversion {
	bought := map[int64]*Conversion{}
	var variantsInOrder []int64
	for _, line := range order.Lines {
		id, ok := variantIDs[line.VariantPlatformID]
		if !ok || line.Quantity <= 0 {
			continue
		}
		c := bought[id]
		if c == nil {
			c = &Conversion{ShopID: order.ShopID, VariantID: id, OrderID: order.PlatformID,
				Currency: order.Currency, OrderedAt: order.CreatedAt}
			bought[id] = c
			variantsInOrder = append(variantsInOrder, id)
		}
		c.Quantity += line.Quantity
		c.Revenue += line.Price.Times(line.Quantity)
	}
	var out []Conversion
	for _, id := range variantsInOrder {
		c := bought[id]
		best, via := latestQualifying(order, id, notices, window)
		if best == nil {
			continue
		}
		c.SubscriptionID, c.MessageID, c.NotifiedAt, c.Via = best.SubscriptionID, best.MessageID, best.SentAt, via
		out = append(out, *c)
	}
	return out
}

// latestQualifying returns the latest notice of the variant that the order
// converts, and why.
func latestQualifying(order Order, variantID int64, notices []Notice, window time.Duration) (*Notice, Attribution) {
	var best *Notice
	var bestVia Attribution
	for i := range notices {
		n := &notices[i]
		if n.VariantID != variantID || !sameContact(order, n) {
			continue
		}
		via, ok := qualifies(order.CreatedAt, n, window)
		if !ok {
			continue
		}
		if best == nil || n.SentAt.After(best.SentAt) || (n.SentAt.Equal(best.SentAt) && n.SubscriptionID > best.SubscriptionID) {
			best, bestVia = n, via
		}
	}
	return best, bestVia
}

// qualifies applies the attribution window to one notice.
func qualifies(orderedAt time.Time, n *Notice, window time.Duration) (Attribution, bool) {
	if orderedAt.Before(n.SentAt) {
		return "", false
	}
	if !orderedAt.After(n.SentAt.Add(window)) {
		return AttributedToNotification, true
	}
	for _, click := range n.Clicks {
		inWindow := !click.Before(n.SentAt) && !click.After(n.SentAt.Add(window))
		if inWindow && !orderedAt.Before(click) && !orderedAt.After(click.Add(window)) {
			return AttributedToClick, true
		}
	}
	return "", false
}

// sameContact reports whether the notice went to the order's customer.
func sameContact(order Order, n *Notice) bool {
	email := strings.TrimSpace(order.Email)
	if email != "" && n.Email != "" && strings.EqualFold(email, n.Email) {
		return true
	}
	phone := strings.TrimSpace(order.Phone)
	return phone != "" && n.Phone != "" && phone == n.Phone
}

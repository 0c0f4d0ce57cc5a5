package shopify

import (
	"context"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// TopicOrdersCreate is the order webhook conversions are counted from. It
// needs the read_orders scope, and Shopify sends the customer's email and
// phone only to apps approved for protected customer data.
const TopicOrdersCreate = "orders/create"

// OrdersScope is the access scope orders/create needs.
const OrdersScope = stockbell.ShopifyOrdersScope

// OrderPayload is orders/create, trimmed to what attribution needs. Prices
// are in the shop's currency (currency), not the buyer's presentment one.
type OrderPayload struct {
	ID           ID     `json:"id"`
	Email        string `json:"email"`
	ContactEmail string `json:"contact_email"`
	Phone        string `json:"phone"`
	Customer     *struct {
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"customer"`
	Currency   string             `json:"currency"`
	TotalPrice Text               `json:"total_price"`
	CreatedAt  string             `json:"created_at"`
	LineItems  []OrderLinePayload `json:"line_items"`
}

// OrderLinePayload is one line item; variant_id is null for custom items.
type OrderLinePayload struct {
	VariantID ID   `json:"variant_id"`
	Quantity  int  `json:"quantity"`
	Price     Text `json:"price"`
}

func (p *OrderPayload) validate() error {
	if p.ID == "" {
		return stockbell.FieldErrorf("id", "order payload has no id")
	}
	if t, err := parseTime(p.CreatedAt); err != nil || t.IsZero() {
		return stockbell.FieldErrorf("created_at", "created_at %q is not an RFC 3339 time", p.CreatedAt)
	}
	for _, price := range append([]Text{p.TotalPrice}, linePrices(p.LineItems)...) {
		if _, err := stockbell.ParseAmount(orZero(string(price))); err != nil {
			return stockbell.FieldErrorf("line_items", "price %q is not an amount", price)
		}
	}
	return nil
}

func linePrices(lines []OrderLinePayload) []Text {
	out := make([]Text, len(lines))
	for i, l := range lines {
		out[i] = l.Price
	}
	return out
}

func orZero(s string) string {
	if strings.TrimSpace(s) == "" {
		return "0"
	}
	return s
}

// Order turns the payload into the platform-neutral order of shop.
func (p *OrderPayload) Order(shopID int64) stockbell.Order {
	created, _ := parseTime(p.CreatedAt)
	total, _ := stockbell.ParseAmount(orZero(string(p.TotalPrice)))
	order := stockbell.Order{ShopID: shopID, PlatformID: string(p.ID), Currency: p.Currency, Total: total, CreatedAt: created,
		Email: firstOf(p.Email, p.ContactEmail), Phone: p.Phone}
	if p.Customer != nil {
		order.Email = firstOf(order.Email, p.Customer.Email)
		order.Phone = firstOf(order.Phone, p.Customer.Phone)
	}
	// Contacts as subscriptions store them; a national phone number cannot
	// be matched to one without its country, so it is dropped.
	order.Email = contact.CanonicalEmail(order.Email)
	order.Phone, _ = contact.NormalizePhone(order.Phone, "")
	for _, l := range p.LineItems {
		price, _ := stockbell.ParseAmount(orZero(string(l.Price)))
		order.Lines = append(order.Lines, stockbell.OrderLine{VariantPlatformID: string(l.VariantID), Quantity: l.Quantity, Price: price})
	}
	return order
}

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// recordOrder hands an order to conversion attribution.
func (in *Integration) recordOrder(ctx context.Context, shop *stockbell.Shop, p *OrderPayload) error {
	if in.Conversions == nil {
		return nil
	}
	err := in.Conversions.RecordOrder(ctx, p.Order(shop.ID))
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		in.Logger.WarnContext(ctx, "shopify order dropped", "shop", shop.Domain, "order", p.ID, "err", err)
		return nil
	}
	return err
}

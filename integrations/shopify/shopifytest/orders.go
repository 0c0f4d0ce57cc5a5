package shopifytest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Order is an order for the fake to report with orders/create.
type Order struct {
	ID        int64
	Email     string
	Phone     string
	Currency  string
	CreatedAt time.Time
	Lines     []OrderLine
}

// OrderLine is one line item; VariantID 0 is a custom item (variant_id null).
type OrderLine struct {
	VariantID int64
	Quantity  int
	Price     string
}

// OrderCreated returns the orders/create webhook of the order, shaped as
// Shopify sends it (ids as numbers, prices as decimal strings, the
// customer's email both at the top and in customer, a null variant_id for
// custom items).
func (f *Fake) OrderCreated(shop string, o Order) Webhook {
	lines := []map[string]any{}
	total := 0.0
	for i, l := range o.Lines {
		var variant any
		if l.VariantID != 0 {
			variant = l.VariantID
		}
		var price float64
		fmt.Sscan(l.Price, &price)
		total += price * float64(l.Quantity)
		lines = append(lines, map[string]any{"id": o.ID*100 + int64(i), "variant_id": variant, "quantity": l.Quantity,
			"price": l.Price, "title": fmt.Sprintf("Item %d", i+1), "gift_card": false, "product_exists": variant != nil})
	}
	var phone any
	if o.Phone != "" {
		phone = o.Phone
	}
	body, _ := json.Marshal(map[string]any{
		"id": o.ID, "admin_graphql_api_id": fmt.Sprintf("gid://shopify/Order/%d", o.ID), "name": fmt.Sprintf("#%d", 1000+o.ID%1000),
		"email": o.Email, "contact_email": o.Email, "phone": phone, "currency": o.Currency, "presentment_currency": o.Currency,
		"total_price": fmt.Sprintf("%.2f", total), "created_at": o.CreatedAt.Format(time.RFC3339), "test": false,
		"customer": map[string]any{"id": o.ID + 7, "email": o.Email, "phone": phone}, "line_items": lines,
	})
	return Webhook{Topic: "orders/create", Shop: shop, Body: body, TriggeredAt: o.CreatedAt}
}

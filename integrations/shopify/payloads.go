package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Webhook topics Stockbell handles.
const (
	TopicInventoryLevelsUpdate     = "inventory_levels/update"
	TopicInventoryLevelsConnect    = "inventory_levels/connect"
	TopicInventoryLevelsDisconnect = "inventory_levels/disconnect"
	TopicInventoryItemsUpdate      = "inventory_items/update"
	TopicProductsCreate            = "products/create"
	TopicProductsUpdate            = "products/update"
	TopicProductsDelete            = "products/delete"
	TopicAppUninstalled            = "app/uninstalled"
	TopicCustomersDataRequest      = "customers/data_request"
	TopicCustomersRedact           = "customers/redact"
	TopicShopRedact                = "shop/redact"
)

// ID is a Shopify numeric id kept as its decimal text: ids exceed 2^53, so
// they are never decoded through float64. It accepts a JSON number or a
// string of digits.
type ID string

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*id = ""
		return nil
	}
	s := string(b)
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = unquoted
	}
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return fmt.Errorf("id %.40q is not a whole number", s)
	}
	*id = ID(s)
	return nil
}

// Text is a value Shopify sends as a string or a bare number (prices).
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil && string(b) != "null" {
		return fmt.Errorf("want text or a number, got %.40s", b)
	}
	*t = Text(n)
	return nil
}

// InventoryLevelPayload is inventory_levels/update, connect or disconnect:
// one location's level of one inventory item. Available is nil when the
// body carries none: a disconnect never does, and Shopify sends null for
// an item whose quantity it does not track.
type InventoryLevelPayload struct {
	InventoryItemID ID     `json:"inventory_item_id"`
	LocationID      ID     `json:"location_id"`
	Available       *int64 `json:"available"`
	UpdatedAt       string `json:"updated_at"`
	// availableSent is true when available was in the payload, null or not.
	availableSent bool
}

// UnmarshalJSON notes whether available was sent at all.
func (p *InventoryLevelPayload) UnmarshalJSON(b []byte) error {
	type plain InventoryLevelPayload
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	_, p.availableSent = fields["available"]
	return nil
}

// untracked reports whether a connect or update carries a null available:
// Shopify does not track the item's quantity, or does not know it.
func (p *InventoryLevelPayload) untracked(topic string) bool {
	return p.Available == nil && topic != TopicInventoryLevelsDisconnect
}

// InventoryItemPayload is inventory_items/update.
type InventoryItemPayload struct {
	ID        ID     `json:"id"`
	SKU       string `json:"sku"`
	Tracked   *bool  `json:"tracked"`
	UpdatedAt string `json:"updated_at"`
}

// ProductPayload is products/create and products/update.
type ProductPayload struct {
	ID          ID               `json:"id"`
	Title       string           `json:"title"`
	Handle      string           `json:"handle"`
	Status      string           `json:"status"`
	PublishedAt json.RawMessage  `json:"published_at"`
	UpdatedAt   string           `json:"updated_at"`
	Image       *ImagePayload    `json:"image"`
	Images      []ImagePayload   `json:"images"`
	Variants    []VariantPayload `json:"variants"`
	// VariantGIDs lists every variant of the product by id, where
	// Variants lists only the first 100 of a larger product in full.
	VariantGIDs []VariantGID `json:"variant_gids"`
}

// VariantGID names one variant of a ProductPayload by its GraphQL id.
type VariantGID struct {
	ID string `json:"admin_graphql_api_id"`
}

// ImagePayload is a product image.
type ImagePayload struct {
	ID  ID     `json:"id"`
	Src string `json:"src"`
}

// VariantPayload is one variant of a ProductPayload. A null
// inventory_management means the variant's stock is not tracked.
type VariantPayload struct {
	ID                  ID      `json:"id"`
	Title               string  `json:"title"`
	SKU                 string  `json:"sku"`
	Price               Text    `json:"price"`
	InventoryPolicy     string  `json:"inventory_policy"`
	InventoryManagement *string `json:"inventory_management"`
	InventoryItemID     ID      `json:"inventory_item_id"`
	ImageID             ID      `json:"image_id"`
	// managementSent is true when inventory_management was in the payload.
	managementSent bool
}

// UnmarshalJSON notes whether inventory_management was sent at all.
func (v *VariantPayload) UnmarshalJSON(b []byte) error {
	type plain VariantPayload
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if err := json.Unmarshal(b, (*plain)(v)); err != nil {
		return err
	}
	_, v.managementSent = fields["inventory_management"]
	return nil
}

// DeletedPayload is products/delete.
type DeletedPayload struct {
	ID ID `json:"id"`
}

// ShopPayload is app/uninstalled: the shop object.
type ShopPayload struct {
	ID              ID     `json:"id"`
	Name            string `json:"name"`
	Domain          string `json:"domain"`
	MyshopifyDomain string `json:"myshopify_domain"`
}

// CustomerPayload is customers/data_request and customers/redact.
type CustomerPayload struct {
	ShopID     ID     `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
	Customer   struct {
		ID    ID     `json:"id"`
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"customer"`
	DataRequest struct {
		ID ID `json:"id"`
	} `json:"data_request"`
	OrdersRequested []ID `json:"orders_requested"`
	OrdersToRedact  []ID `json:"orders_to_redact"`
}

// ShopRedactPayload is shop/redact.
type ShopRedactPayload struct {
	ShopID     ID     `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
}

// Webhook is a parsed webhook; exactly one payload field is set.
type Webhook struct {
	Topic          string
	InventoryLevel *InventoryLevelPayload
	InventoryItem  *InventoryItemPayload
	Product        *ProductPayload
	Deleted        *DeletedPayload
	Shop           *ShopPayload
	Customer       *CustomerPayload
	ShopRedact     *ShopRedactPayload
	Order          *OrderPayload
}

// ParseWebhook decodes and checks a webhook's body for its topic. It
// returns an EINVALID error naming the field for an unknown topic, a
// malformed body or a missing id.
func ParseWebhook(topic string, body []byte) (*Webhook, error) {
	w := &Webhook{Topic: topic}
	var target any
	switch topic {
	case TopicInventoryLevelsUpdate, TopicInventoryLevelsConnect, TopicInventoryLevelsDisconnect:
		w.InventoryLevel, target = &InventoryLevelPayload{}, &w.InventoryLevel
	case TopicInventoryItemsUpdate:
		w.InventoryItem, target = &InventoryItemPayload{}, &w.InventoryItem
	case TopicProductsCreate, TopicProductsUpdate:
		w.Product, target = &ProductPayload{}, &w.Product
	case TopicProductsDelete:
		w.Deleted, target = &DeletedPayload{}, &w.Deleted
	case TopicAppUninstalled:
		w.Shop, target = &ShopPayload{}, &w.Shop
	case TopicCustomersDataRequest, TopicCustomersRedact:
		w.Customer, target = &CustomerPayload{}, &w.Customer
	case TopicShopRedact:
		w.ShopRedact, target = &ShopRedactPayload{}, &w.ShopRedact
	case TopicOrdersCreate:
		w.Order, target = &OrderPayload{}, &w.Order
	default:
		return nil, stockbell.FieldErrorf("topic", "unsupported Shopify webhook topic %q", topic)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(target); err != nil {
		return nil, stockbell.FieldErrorf("body", "malformed %s payload: %v", topic, err)
	}
	if err := w.validate(); err != nil {
		return nil, err
	}
	return w, nil
}

// validate checks the fields processing relies on.
func (w *Webhook) validate() error {
	switch {
	case w.InventoryLevel != nil:
		return w.InventoryLevel.validate(w.Topic)
	case w.InventoryItem != nil:
		return required("id", w.InventoryItem.ID, checkTime("updated_at", w.InventoryItem.UpdatedAt))
	case w.Product != nil:
		return w.Product.validate()
	case w.Deleted != nil:
		return required("id", w.Deleted.ID, nil)
	case w.Order != nil:
		return w.Order.validate()
	}
	return nil
}

func (p *InventoryLevelPayload) validate(topic string) error {
	if p.InventoryItemID == "" {
		return stockbell.FieldErrorf("inventory_item_id", "%s names no inventory item", topic)
	}
	if p.LocationID == "" {
		return stockbell.FieldErrorf("location_id", "%s names no location", topic)
	}
	if topic == TopicInventoryLevelsUpdate && !p.availableSent {
		return stockbell.FieldErrorf("available", "%s carries no available quantity (null for an untracked item)", topic)
	}
	return checkTime("updated_at", p.UpdatedAt)
}

func (p *ProductPayload) validate() error {
	if p.ID == "" {
		return stockbell.FieldErrorf("id", "product payload has no id")
	}
	for i, v := range p.Variants {
		if v.ID == "" {
			return stockbell.FieldErrorf(fmt.Sprintf("variants[%d].id", i), "variant %d has no id", i)
		}
	}
	return checkTime("updated_at", p.UpdatedAt)
}

func required(field string, id ID, next error) error {
	if id == "" {
		return stockbell.FieldErrorf(field, "payload has no %s", field)
	}
	return next
}

func checkTime(field, value string) error {
	if _, err := parseTime(value); err != nil {
		return stockbell.FieldErrorf(field, "%s %q is not an RFC 3339 time", field, value)
	}
	return nil
}

// parseTime parses an RFC 3339 time; empty gives the zero time.
func parseTime(value string) (time.Time, error) {
	if strings.TrimSpace(value) == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, value)
}

// published reports whether a product payload is visible on the storefront:
// status active (or absent) and published_at not null.
func (p *ProductPayload) published() bool {
	if p.Status != "" && !strings.EqualFold(p.Status, "active") {
		return false
	}
	return string(p.PublishedAt) != "null"
}
